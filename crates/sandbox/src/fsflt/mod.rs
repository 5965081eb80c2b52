//! The FlashStart reseller API ("fsflt", `https://api.fsflt.net`): the `customerarea` auth
//! token, customer creation and the licence endpoints (available, demo, assign, suspend,
//! enable), with the documented envelope, errors and a per-customer licence pool.
//!
//! The operations the docs describe without a path (customer list and details, the licence
//! action, the password, the `directory/…` lists) are emulated at the paths
//! `specs/fsflt.yaml` guesses (`x-unconfirmed`), with answers of our own; every other path
//! under the prefix answers 404.

mod catalogue;
mod customers;
mod directory;
mod fields;
mod licences;
mod routes;

use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use axum::Router;

/// The path prefix of the emulator; the client's base URL is `{base}/fsflt`.
pub(crate) const PREFIX: &str = "/fsflt";

/// The first customer code handed out.
const FIRST_CUSTOMER_CODE: u64 = 1001;
/// The first licence id handed out (the id in the documented demo example); demos and
/// assigned licences share the sequence.
const FIRST_LICENSE_ID: u64 = 108_501;

/// Adds the emulator to `app`: every path under [`PREFIX`] (known or not) is answered and
/// recorded by the emulator, routed by the spec's operation table.
pub(crate) fn mount(app: Router, handle: FsfltHandle) -> Router {
    // Merged, not nested: a nested router does not see the original path.
    app.merge(routes::routes(handle))
}

/// How the FlashStart emulator behaves.
#[derive(Debug, Clone)]
pub struct FsfltConfig {
    /// The reseller API key, expected in the `X-API-KEY` header. Default
    /// `"sandbox-fsflt-key"`.
    pub api_key: String,
    /// How many licences of each catalogue code a customer can be assigned; a code whose
    /// pool is used up is no longer listed as available. Default 3.
    pub pool_per_licence: u32,
}

impl Default for FsfltConfig {
    fn default() -> Self {
        Self {
            api_key: "sandbox-fsflt-key".to_owned(),
            pool_per_licence: 3,
        }
    }
}

/// A customer created through `POST /customerarea/customers/new`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SandboxCustomer {
    /// The code the sandbox assigned (1001, 1002, …).
    pub customer_code: u64,
    /// The email, as sent.
    pub email: String,
    /// The customer name, as sent.
    pub customer_name: String,
    /// The country code, as sent (two letters).
    pub country_code: String,
    /// The industry code (1 is "family" in the sandbox).
    pub industry_code: u32,
    /// The preferred language, upper-cased: `EN` (the default), `IT`, `ES` or `DE`.
    pub lang: String,
    /// The company name, when sent.
    pub company_name: Option<String>,
    /// The customer surname, when sent.
    pub customer_surname: Option<String>,
    /// The Skype name, when sent.
    pub skype: Option<String>,
    /// The phone number, when sent.
    pub phone: Option<String>,
}

/// A licence the sandbox handed out: a demo, or a licence assigned from the catalogue.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SandboxLicence {
    /// The licence id (108501, 108502, …; demos and assigned licences share the sequence).
    pub license_id: u64,
    /// The customer it belongs to.
    pub customer_code: u64,
    /// The catalogue code, e.g. `"CL-Q-A005-M1"`, or `"CL-DEMO"` for a demo.
    pub license_code: String,
    /// True for a demo licence.
    pub demo: bool,
    /// True while suspended.
    pub suspended: bool,
    /// True once cancelled through `POST /customerarea/customers/license` (unconfirmed
    /// operation): the licence is then unknown to every licence operation.
    pub cancelled: bool,
    /// The `license_info` of an assigned licence; `None` for a demo.
    pub license_info: Option<String>,
    /// The start date, `YYYY-MM-DD` (UTC).
    pub start_date: String,
    /// The expiry date, `YYYY-MM-DD` (UTC).
    pub expiry_date: String,
}

/// A cheap, cloneable view of the FlashStart emulator's shared state.
#[derive(Debug, Clone)]
pub struct FsfltHandle {
    inner: Arc<Shared>,
}

#[derive(Debug)]
struct Shared {
    /// Faults waiting for this emulator's next requests.
    faults: crate::Faults,
    /// API keys revoked since the start.
    revoked: crate::common::revoked::Revoked,
    /// The sandbox's clock.
    clock: crate::Clock,
    config: FsfltConfig,
    state: Mutex<State>,
}

#[derive(Debug)]
struct State {
    requests: Vec<crate::RecordedRequest>,
    customers: Vec<SandboxCustomer>,
    licences: Vec<SandboxLicence>,
    /// Licences assigned, by customer code and catalogue code.
    used: HashMap<(u64, &'static str), u32>,
    next_customer_code: u64,
    next_license_id: u64,
}

impl State {
    /// A copy of the data, without the recorded requests, to work an answer out on without
    /// keeping what it does.
    fn scratch(&self) -> State {
        State {
            requests: Vec::new(),
            customers: self.customers.clone(),
            licences: self.licences.clone(),
            used: self.used.clone(),
            next_customer_code: self.next_customer_code,
            next_license_id: self.next_license_id,
        }
    }
}

impl Default for State {
    fn default() -> Self {
        Self {
            requests: Vec::new(),
            customers: Vec::new(),
            licences: Vec::new(),
            used: HashMap::new(),
            next_customer_code: FIRST_CUSTOMER_CODE,
            next_license_id: FIRST_LICENSE_ID,
        }
    }
}

impl FsfltHandle {
    pub(crate) fn new(config: FsfltConfig, clock: crate::Clock) -> Self {
        Self {
            inner: Arc::new(Shared {
                faults: crate::Faults::default(),
                revoked: crate::common::revoked::Revoked::default(),
                clock,
                config,
                state: Mutex::default(),
            }),
        }
    }

    /// Back to the state the sandbox started with: the recorded requests, the emulator's
    /// data, its pending faults and its revoked credentials are forgotten. The clock stays
    /// where it is (it never goes back); deliveries already on their way still arrive.
    pub fn reset(&self) {
        *self.state() = State::default();
        self.inner.faults.clear();
        self.inner.revoked.clear();
    }

    /// The faults waiting for this emulator's next requests: `inject` one to have the next
    /// answers replaced (a 429 with `Retry-After`, a 503), delayed, slowed, cut short or
    /// lost, whatever the request; they are recorded with the request they met.
    pub fn faults(&self) -> crate::Faults {
        self.inner.faults.clone()
    }

    /// Revokes an API key, as FlashStart's reseller panel does: from now on a request
    /// carrying it gets the documented 401 `{"message":"invalid token or unauthorized
    /// admin"}`. True when it was the key the emulator accepted ([`FsfltConfig::api_key`]).
    pub fn revoke_api_key(&self, key: &str) -> bool {
        self.inner.revoked.revoke(key);
        key == self.inner.config.api_key
    }

    /// The sandbox's clock, as this emulator reads it.
    pub(crate) fn clock(&self) -> &crate::Clock {
        &self.inner.clock
    }

    /// Every request under `/fsflt` (unknown paths included), in the order they were
    /// answered.
    pub fn requests(&self) -> Vec<crate::RecordedRequest> {
        self.state().requests.clone()
    }

    /// Every customer created, in order.
    pub fn customers(&self) -> Vec<SandboxCustomer> {
        self.state().customers.clone()
    }

    /// Every licence handed out (demos and assigned ones), in order, with its current
    /// suspension state.
    pub fn licences(&self) -> Vec<SandboxLicence> {
        self.state().licences.clone()
    }

    fn config(&self) -> &FsfltConfig {
        &self.inner.config
    }

    fn state(&self) -> MutexGuard<'_, State> {
        self.inner
            .state
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
    }
}
