//! Flexiti: the POS API (`https://posapi-training.flexiti.fi/flexiti/pos-api/v2.5` and
//! `…/v2.5.1`) and the Online API (`https://onlineapi.flexiti.fi/flexiti/online-api`), both
//! under one prefix, with the real paths below it: OAuth tokens with scopes and refresh,
//! customers and accounts with their available credit, verification PINs, purchase
//! authorizations with captures, releases, returns and refunds, payments, idempotent replays,
//! and the Online API's hosted order flow.
//!
//! Shapes the public documentation does not show (most transaction answers) follow the
//! research notes' inferences; the README lists which ones.

mod accounts;
mod auth;
mod fields;
mod handlers;
mod online;
mod payments;
mod routes;
mod screens;
mod transactions;
mod wire;

use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use axum::Router;

use crate::RecordedRequest;
use accounts::Account;
use auth::{Grant, Token};
use online::{OnlineOrder, Outcome};
use payments::Payment;
use transactions::{Authorization, Capture};

/// The path prefix of the emulator; a client uses `{base}/flexiti-sandbox` as the host of
/// both APIs and appends `/flexiti/pos-api/...` or `/flexiti/online-api/...`.
pub(crate) const PREFIX: &str = "/flexiti-sandbox";

/// The first ids handed out.
const FIRST_AUTHORIZATION_ID: u64 = 1_000_001;
const FIRST_CAPTURE_ID: u64 = 300_001;
const FIRST_RETURN_ID: u64 = 900_001;
const FIRST_TRANSACTION_ID: u64 = 600_001;
/// The `online_order_id` of the documented example.
const FIRST_ONLINE_ORDER_ID: u64 = 131_209;
/// The `customer_id` of the documented notification example (new customers of apply flows).
const FIRST_NEW_CUSTOMER_ID: u64 = 1_293_836;

/// Adds the emulator to `app`: every path under [`PREFIX`] (known or not) is answered and
/// recorded by the emulator, which dispatches on the path itself.
pub(crate) fn mount(app: Router, handle: FlexitiHandle) -> Router {
    // Merged, not nested: a nested router routes neither `{PREFIX}/` nor sees the original
    // path.
    app.merge(routes::routes(handle))
}

/// How the Flexiti emulator behaves.
#[derive(Debug, Clone)]
pub struct FlexitiConfig {
    /// The client id: the OAuth key, and the `client-id/{client_id}` path segment. Default
    /// `"sandbox-flexiti"`.
    pub client_id: String,
    /// The client secret. Default `"sandbox-flexiti-secret"`.
    pub client_secret: String,
    /// How long an access token (and its refresh token) is valid. Default 1200 s (20 min),
    /// as documented.
    pub token_lifetime: Duration,
}

impl Default for FlexitiConfig {
    fn default() -> Self {
        Self {
            client_id: "sandbox-flexiti".to_owned(),
            client_secret: "sandbox-flexiti-secret".to_owned(),
            token_lifetime: Duration::from_secs(1200),
        }
    }
}

/// A cheap, cloneable view of the Flexiti emulator's shared state.
#[derive(Debug, Clone)]
pub struct FlexitiHandle {
    inner: Arc<Shared>,
}

#[derive(Debug)]
struct Shared {
    /// Faults waiting for this emulator's next requests.
    faults: crate::Faults,
    /// The sandbox's clock.
    clock: crate::Clock,
    config: FlexitiConfig,
    /// `http://127.0.0.1:PORT/flexiti-sandbox`: the host a client uses.
    url: String,
    state: Mutex<State>,
}

#[derive(Debug, Clone)]
struct State {
    requests: Vec<RecordedRequest>,
    token_requests: usize,
    /// Access tokens.
    tokens: HashMap<String, Token>,
    /// Refresh tokens, each usable once.
    grants: HashMap<String, Grant>,
    accounts: Vec<Account>,
    /// Verified `(account_number, request_id)` pairs (`""` without a request id), with the
    /// verification code to send back.
    verifications: HashMap<(String, String), String>,
    /// Wrong security answers, by account.
    wrong_answers: HashMap<String, u32>,
    authorizations: Vec<Authorization>,
    captures: Vec<Capture>,
    payments: Vec<Payment>,
    /// Answers by idempotency key.
    replays: HashMap<String, Replay>,
    orders: Vec<OnlineOrder>,
    next_authorization: u64,
    next_capture: u64,
    next_return: u64,
    next_transaction: u64,
    next_order: u64,
    next_customer: u64,
}

/// The first answer given to an idempotency key, and how often the key was seen.
#[derive(Debug, Clone)]
struct Replay {
    reply: wire::Reply,
    seen: usize,
}

impl State {
    /// A copy of the data, without the recorded requests, to work an answer out on without
    /// keeping what it does.
    fn scratch(&mut self) -> State {
        let requests = std::mem::take(&mut self.requests);
        let scratch = self.clone();
        self.requests = requests;
        scratch
    }

    /// The state the emulator starts with: the seeded accounts, nothing else.
    fn initial() -> Self {
        State {
            requests: Vec::new(),
            token_requests: 0,
            tokens: HashMap::new(),
            grants: HashMap::new(),
            accounts: accounts::seed(),
            verifications: HashMap::new(),
            wrong_answers: HashMap::new(),
            authorizations: Vec::new(),
            captures: Vec::new(),
            payments: Vec::new(),
            replays: HashMap::new(),
            orders: Vec::new(),
            next_authorization: FIRST_AUTHORIZATION_ID,
            next_capture: FIRST_CAPTURE_ID,
            next_return: FIRST_RETURN_ID,
            next_transaction: FIRST_TRANSACTION_ID,
            next_order: FIRST_ONLINE_ORDER_ID,
            next_customer: FIRST_NEW_CUSTOMER_ID,
        }
    }
}

impl FlexitiHandle {
    pub(crate) fn new(config: FlexitiConfig, base_url: &str, clock: crate::Clock) -> Self {
        let state = State::initial();
        Self {
            inner: Arc::new(Shared {
                faults: crate::Faults::default(),
                clock,
                config,
                url: format!("{base_url}{PREFIX}"),
                state: Mutex::new(state),
            }),
        }
    }

    /// Back to the state the sandbox started with: the recorded requests, the emulator's
    /// data, its pending faults and its revoked credentials are forgotten. The clock stays
    /// where it is (it never goes back); deliveries already on their way still arrive.
    pub fn reset(&self) {
        *self.state() = State::initial();
        self.inner.faults.clear();
    }

    /// The faults waiting for this emulator's next requests: `inject` one to have the next
    /// answers replaced (a 429 with `Retry-After`, a 503), delayed, slowed, cut short or
    /// lost, whatever the request; they are recorded with the request they met.
    pub fn faults(&self) -> crate::Faults {
        self.inner.faults.clone()
    }

    /// The sandbox's clock, as this emulator reads it.
    pub(crate) fn clock(&self) -> &crate::Clock {
        &self.inner.clock
    }

    /// Every request under `/flexiti-sandbox` (unknown paths and refused ones included), in
    /// the order they were answered.
    pub fn requests(&self) -> Vec<RecordedRequest> {
        self.state().requests.clone()
    }

    /// How many requests reached a token endpoint (POS and Online, refused ones included).
    pub fn token_requests(&self) -> usize {
        self.state().token_requests
    }

    /// Invalidates every access and refresh token issued so far: later calls with them get
    /// 401 `invalid_token`, and they can no longer be refreshed.
    pub fn expire_tokens(&self) {
        let mut state = self.state();
        state.tokens.clear();
        state.grants.clear();
    }

    /// The available credit of an account, e.g. `"4850.00"`; `None` for an unknown account.
    pub fn account_balance(&self, account_number: &str) -> Option<String> {
        self.state()
            .account(account_number)
            .map(|a| wire::money_text(a.available()))
    }

    /// How many requests carrying this `x-idempotency-key` reached an endpoint (the first
    /// one and its replays); 0 for a key never seen.
    pub fn idempotency_key_count(&self, key: &str) -> usize {
        self.state().replays.get(key).map_or(0, |r| r.seen)
    }

    /// Completes an Online API order as the hosted page would: the apply flow ends in
    /// `SUCCESS` (with a `customer_id`), the buy flow in `Success`. False for an unknown
    /// order; an order already finished is left as it is.
    pub fn complete_online_order(&self, online_order_id: u64) -> bool {
        self.finish_order(online_order_id, true)
    }

    /// Ends an Online API order as declined: apply `DECLINED`, purchase `Failed`. False for
    /// an unknown order; an order already finished is left as it is.
    pub fn fail_online_order(&self, online_order_id: u64) -> bool {
        self.finish_order(online_order_id, false)
    }

    fn finish_order(&self, online_order_id: u64, success: bool) -> bool {
        let now = wire::now_ms(self.clock());
        let mut state = self.state();
        let state = &mut *state;
        let Some(order) = state.orders.iter_mut().find(|o| o.id == online_order_id) else {
            return false;
        };
        if matches!(order.outcome, Outcome::Pending) {
            order.finish(success, &mut state.next_customer, now);
        }
        true
    }

    fn config(&self) -> &FlexitiConfig {
        &self.inner.config
    }

    /// `http://127.0.0.1:PORT/flexiti-sandbox`.
    fn url(&self) -> &str {
        &self.inner.url
    }

    fn state(&self) -> MutexGuard<'_, State> {
        self.inner
            .state
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
    }
}

impl State {
    fn account(&self, number: &str) -> Option<&Account> {
        self.accounts.iter().find(|a| a.number == number)
    }

    fn account_mut(&mut self, number: &str) -> Option<&mut Account> {
        self.accounts.iter_mut().find(|a| a.number == number)
    }
}
