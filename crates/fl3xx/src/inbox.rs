//! Receiving webhook deliveries at scale: acknowledge each at once, drop repeats, and fetch
//! each resource once per burst.
//!
//! FL3XX delivers in bursts (one flight edit can fire several events, which is why group
//! events exist) and may deliver an event again (webhooks.md: deliveries are retried). A
//! receiver that fetches the resource once per delivery spends its fair-use budget on
//! repeats. A [`WebhookInbox`] sits between the HTTP handler and the worker that fetches:
//!
//! - the handler [`accept`](WebhookInbox::accept)s each verified notification and answers
//!   200 at once; an `eventId` seen within [`InboxConfig::dedup_window`] is a
//!   [`Receipt::Duplicate`] and does nothing;
//! - the events of one resource gather into one [`Work`] item until it has been quiet for
//!   [`InboxConfig::settle`];
//! - the worker takes what is [`due`](WebhookInbox::due) and fetches each resource once.
//!
//! ```
//! use std::time::{Duration, Instant};
//! use fl3xx::inbox::{InboxConfig, Receipt, WebhookInbox};
//!
//! let inbox = WebhookInbox::new(InboxConfig::default());
//! let event = |id: &str| {
//!     fl3xx::webhook::parse(format!(
//!         r#"{{"eventId":"{id}","resourceId":5001,"event":"FLIGHT_TIME_UPDATE","resourceType":"FLIGHT"}}"#
//!     ).as_bytes())
//! };
//! let start = Instant::now();
//! assert_eq!(inbox.accept_at(event("e-1")?, start), Receipt::Queued);
//! assert_eq!(inbox.accept_at(event("e-1")?, start), Receipt::Duplicate);
//! assert_eq!(inbox.accept_at(event("e-2")?, start), Receipt::Coalesced);
//! // Nothing is due while the burst goes on; then one fetch for both events.
//! assert!(inbox.due_at(start).is_empty());
//! let work = inbox.due_at(start + Duration::from_secs(3));
//! assert_eq!((work.len(), work[0].events.len()), (1, 2));
//! # Ok::<(), fl3xx::webhook::WebhookError>(())
//! ```

use std::collections::{HashMap, HashSet, VecDeque};
use std::sync::{Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant};

use crate::{WebhookNotification, WebhookResourceType};

/// How a [`WebhookInbox`] dedups and gathers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct InboxConfig {
    /// How long an `eventId` is remembered: a repeat within it is dropped. Default 1 hour
    /// (FL3XX retries within minutes; our choice, the documents give no figure).
    pub dedup_window: Duration,
    /// How long a resource must be quiet before its events are due: a burst's events become
    /// one fetch. Default 2 seconds.
    pub settle: Duration,
    /// The longest a resource waits, however long its burst lasts. Default 30 seconds.
    pub max_wait: Duration,
    /// The most event ids remembered (the oldest are forgotten first), so a flood cannot
    /// grow the inbox without bound. Default 100 000.
    pub max_remembered: usize,
}

impl Default for InboxConfig {
    fn default() -> Self {
        Self {
            dedup_window: Duration::from_secs(3600),
            settle: Duration::from_secs(2),
            max_wait: Duration::from_secs(30),
            max_remembered: 100_000,
        }
    }
}

impl InboxConfig {
    /// The defaults with another quiet interval.
    pub fn settle(mut self, settle: Duration) -> Self {
        self.settle = settle;
        self
    }

    /// The defaults with another dedup window.
    pub fn dedup_window(mut self, window: Duration) -> Self {
        self.dedup_window = window;
        self
    }
}

/// What [`WebhookInbox::accept`] did with a notification. Answer 200 for each: FL3XX only
/// needs to know it arrived.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Receipt {
    /// The first event of its resource since the last fetch: a new [`Work`] item.
    Queued,
    /// Added to its resource's pending [`Work`]: no extra fetch.
    Coalesced,
    /// An `eventId` already seen within the dedup window: dropped.
    Duplicate,
}

/// One resource to fetch, with every event that asked for it since the last fetch.
#[derive(Debug, Clone, PartialEq)]
pub struct Work {
    /// The kind of resource (`FLIGHT`), when the notifications said.
    pub resource_type: Option<WebhookResourceType>,
    /// The resource's id.
    pub resource_id: crate::Id,
    /// The events, in arrival order.
    pub events: Vec<WebhookNotification>,
}

/// Dedups and gathers webhook notifications; share it (`Arc`) between the HTTP handler and
/// the worker. See the [module docs](self).
#[derive(Debug)]
pub struct WebhookInbox {
    config: InboxConfig,
    state: Mutex<State>,
}

#[derive(Debug, Default)]
struct State {
    /// Event ids in arrival order, for expiry; `seen` holds the same ids for lookup.
    order: VecDeque<(Instant, String)>,
    seen: HashSet<String>,
    /// Pending work by resource, with when it started and when it last grew.
    pending: HashMap<(Option<WebhookResourceType>, String), Pending>,
    /// Pending resources in the order they arrived.
    arrivals: VecDeque<(Option<WebhookResourceType>, String)>,
}

#[derive(Debug)]
struct Pending {
    first: Instant,
    last: Instant,
    work: Work,
}

impl WebhookInbox {
    /// An empty inbox.
    pub fn new(config: InboxConfig) -> Self {
        Self {
            config,
            state: Mutex::new(State::default()),
        }
    }

    /// Takes a verified notification now.
    pub fn accept(&self, notification: WebhookNotification) -> Receipt {
        self.accept_at(notification, Instant::now())
    }

    /// Takes a verified notification at `now` (for tests and replays).
    pub fn accept_at(&self, notification: WebhookNotification, now: Instant) -> Receipt {
        let mut state = self.state();
        self.forget_old(&mut state, now);
        if state.seen.contains(&notification.event_id) {
            return Receipt::Duplicate;
        }
        state.seen.insert(notification.event_id.clone());
        state.order.push_back((now, notification.event_id.clone()));
        let key = (
            notification.resource_type.clone(),
            notification.resource_id.text().to_string(),
        );
        if let Some(pending) = state.pending.get_mut(&key) {
            pending.last = now;
            pending.work.events.push(notification);
            return Receipt::Coalesced;
        }
        let work = Work {
            resource_type: notification.resource_type.clone(),
            resource_id: notification.resource_id.clone(),
            events: vec![notification],
        };
        state.arrivals.push_back(key.clone());
        state.pending.insert(
            key,
            Pending {
                first: now,
                last: now,
                work,
            },
        );
        Receipt::Queued
    }

    /// The resources due now: quiet for [`InboxConfig::settle`], or waiting longer than
    /// [`InboxConfig::max_wait`]. Each is handed out once.
    pub fn due(&self) -> Vec<Work> {
        self.due_at(Instant::now())
    }

    /// The resources due at `now`, in the order their first events arrived.
    pub fn due_at(&self, now: Instant) -> Vec<Work> {
        let mut state = self.state();
        let State {
            pending, arrivals, ..
        } = &mut *state;
        let mut due = Vec::new();
        arrivals.retain(|key| {
            let ready = pending.get(key).is_some_and(|p| {
                now.saturating_duration_since(p.last) >= self.config.settle
                    || now.saturating_duration_since(p.first) >= self.config.max_wait
            });
            if ready && let Some(p) = pending.remove(key) {
                due.push(p.work);
            }
            !ready
        });
        due
    }

    /// When the next resource falls due, if any is pending (for a worker to sleep until).
    pub fn next_due(&self) -> Option<Instant> {
        let state = self.state();
        state
            .pending
            .values()
            .map(|p| (p.last + self.config.settle).min(p.first + self.config.max_wait))
            .min()
    }

    /// How many resources wait to be fetched.
    pub fn pending(&self) -> usize {
        self.state().pending.len()
    }

    /// Forgets event ids older than the dedup window, and the oldest beyond the bound.
    fn forget_old(&self, state: &mut State, now: Instant) {
        while let Some((at, _)) = state.order.front() {
            let expired = now.saturating_duration_since(*at) >= self.config.dedup_window;
            if !expired && state.order.len() < self.config.max_remembered.max(1) {
                break;
            }
            if let Some((_, id)) = state.order.pop_front() {
                state.seen.remove(&id);
            }
        }
    }

    fn state(&self) -> MutexGuard<'_, State> {
        // The state stays consistent at every step; a panic elsewhere cannot leave it torn.
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn event(id: &str, resource: u64, kind: &str) -> WebhookNotification {
        crate::webhook::parse(
            format!(
                r#"{{"eventId":"{id}","resourceId":{resource},"event":"{kind}","resourceType":"FLIGHT"}}"#
            )
            .as_bytes(),
        )
        .expect("a notification")
    }

    #[test]
    fn a_burst_with_repeats_is_one_fetch_per_resource() {
        let inbox = WebhookInbox::new(InboxConfig::default());
        let t0 = Instant::now();
        let receipts: Vec<Receipt> = [
            event("e1", 5001, "FLIGHT_TIME_UPDATE"),
            event("e1", 5001, "FLIGHT_TIME_UPDATE"),
            event("e2", 5001, "FLIGHT_CREW_UPDATE"),
            event("e3", 5002, "FLIGHT_TIME_UPDATE"),
            event("e2", 5001, "FLIGHT_CREW_UPDATE"),
        ]
        .into_iter()
        .map(|n| inbox.accept_at(n, t0))
        .collect();
        assert_eq!(
            receipts,
            [
                Receipt::Queued,
                Receipt::Duplicate,
                Receipt::Coalesced,
                Receipt::Queued,
                Receipt::Duplicate
            ]
        );
        assert_eq!(inbox.pending(), 2);
        assert_eq!(inbox.next_due(), Some(t0 + Duration::from_secs(2)));
        assert!(inbox.due_at(t0 + Duration::from_secs(1)).is_empty());
        let due = inbox.due_at(t0 + Duration::from_secs(2));
        let summary: Vec<(Option<u64>, Vec<&str>)> = due
            .iter()
            .map(|w| {
                let ids = w.events.iter().map(|e| e.event_id.as_str()).collect();
                (w.resource_id.as_u64(), ids)
            })
            .collect();
        assert_eq!(
            summary,
            [(Some(5001), vec!["e1", "e2"]), (Some(5002), vec!["e3"])]
        );
        // Handed out once; a later event of the same resource starts new work.
        assert!(inbox.due_at(t0 + Duration::from_secs(10)).is_empty());
        let later = t0 + Duration::from_secs(11);
        assert_eq!(
            inbox.accept_at(event("e4", 5001, "FLIGHT_UPDATE"), later),
            Receipt::Queued
        );
    }

    #[test]
    fn a_resource_that_keeps_changing_is_due_after_the_maximum_wait() {
        let config = InboxConfig::default();
        let inbox = WebhookInbox::new(config);
        let t0 = Instant::now();
        // An event a second, polled each second: never quiet for 2 s, yet due 30 s after
        // its first event, with the 31 events so far.
        let mut fetched = Vec::new();
        for i in 0..40u64 {
            let at = t0 + Duration::from_secs(i);
            inbox.accept_at(event(&format!("e{i}"), 7, "FLIGHT_TIME_UPDATE"), at);
            for work in inbox.due_at(at) {
                fetched.push((i, work.events.len()));
            }
        }
        assert_eq!(config.max_wait, Duration::from_secs(30));
        assert_eq!(fetched, [(30, 31)]);
    }

    #[test]
    fn ids_are_forgotten_after_the_window_and_beyond_the_bound() {
        let config = InboxConfig {
            max_remembered: 2,
            ..InboxConfig::default().dedup_window(Duration::from_secs(60))
        };
        let inbox = WebhookInbox::new(config);
        let t0 = Instant::now();
        inbox.accept_at(event("a", 1, "FLIGHT_UPDATE"), t0);
        let later = t0 + Duration::from_secs(61);
        assert_eq!(
            inbox.accept_at(event("a", 1, "FLIGHT_UPDATE"), later),
            Receipt::Coalesced
        );
        inbox.accept_at(event("b", 2, "FLIGHT_UPDATE"), later);
        inbox.accept_at(event("c", 3, "FLIGHT_UPDATE"), later);
        // Only two ids are remembered: the oldest ("a") went first.
        assert_eq!(
            inbox.accept_at(event("a", 1, "FLIGHT_UPDATE"), later),
            Receipt::Coalesced
        );
    }
}
