//! Polling for new and changed flights within FL3XX's fair-use policy.
//!
//! The policy allows one request every 10 minutes for frequent requests ("sporadic on-demand
//! calls" aside). The poller reads the flights of a moving window once per interval (10
//! minutes by default), compares each with what it saw before, and yields the new and changed
//! ones. Its [`Checkpoint`] is serializable: store it after each batch and
//! [`FlightPoller::resume`] from it after a restart, and no flight is reported twice and the
//! interval still holds.
//!
//! # Requests per poll
//!
//! One poll sends **at most [`PollerConfig::max_pages`] requests** (pages of
//! `list_flights`, [`MAX_PAGE_SIZE`] = 50 flights each), **1 by default**: the documented
//! budget of one request per interval. So the poller never sends more than `max_pages`
//! requests per interval, however many flights the window holds. A window with more flights
//! than one poll reads is *swept* over several polls: each poll goes on at the offset where
//! the previous one stopped, over the same window, and the sweep ends with a page shorter
//! than 50 (a window of `n` flights takes `n / 50 + 1` requests in all, `max_pages` per
//! poll). The sweep in progress is part of the [`Checkpoint`], so a restart continues it.
//! Flights are reported as each page is read; the fingerprints of a finished sweep replace
//! the previous sweep's, so the checkpoint stays the size of one window. A flight that moves
//! across a page boundary while a sweep is under way can be read twice (reported once) or
//! missed until the next sweep.

use std::collections::BTreeMap;
use std::num::NonZeroU32;
use std::time::Duration;

use api_core::Result;
use futures_core::Stream;
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use crate::{Flight, FlightWindow, MAX_PAGE_SIZE, OperatorClient};

/// Poller settings.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PollerConfig {
    /// Time between two polls (their starts). Default 10 minutes: FL3XX's fair-use interval.
    pub interval: Duration,
    /// How far back the window reaches from the start of a sweep. Default 1 day.
    pub lookback: Duration,
    /// How far ahead the window reaches from the start of a sweep. Default 7 days.
    pub lookahead: Duration,
    /// The most `list_flights` requests (pages of 50 flights) one poll sends. Default 1, the
    /// fair-use budget of one request per interval; raise it only with the operator's
    /// agreement, since FL3XX answers an exceeded budget with 403.
    pub max_pages: NonZeroU32,
}

impl Default for PollerConfig {
    fn default() -> Self {
        Self {
            interval: crate::FAIR_USE_INTERVAL,
            lookback: Duration::from_secs(24 * 3600),
            lookahead: Duration::from_secs(7 * 24 * 3600),
            max_pages: NonZeroU32::MIN,
        }
    }
}

/// How far a poller got: when it last polled, a fingerprint of every flight of the last
/// finished sweep, and the sweep under way.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Checkpoint {
    /// When the last poll started (RFC 3339).
    #[serde(default, with = "time::serde::rfc3339::option")]
    pub last_poll: Option<OffsetDateTime>,
    /// Flight id → a fingerprint of the flight as last seen, for the last finished sweep.
    #[serde(default)]
    pub seen: BTreeMap<String, u64>,
    /// The sweep that the next poll goes on with; `None` when the next poll starts a new one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sweep: Option<Sweep>,
}

/// A sweep of one window that has not reached its last page yet.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Sweep {
    /// The window's start (RFC 3339).
    #[serde(with = "time::serde::rfc3339")]
    pub from: OffsetDateTime,
    /// The window's end (RFC 3339).
    #[serde(with = "time::serde::rfc3339")]
    pub to: OffsetDateTime,
    /// How many flights the sweep has read: the next page's offset.
    pub offset: u64,
    /// Flight id → fingerprint of the flights this sweep has read.
    #[serde(default)]
    pub seen: BTreeMap<String, u64>,
}

/// Why a flight is reported.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChangeKind {
    /// Not seen before.
    New,
    /// Seen before with other contents.
    Changed,
}

/// A new or changed flight.
#[derive(Debug, Clone, PartialEq)]
pub struct FlightChange {
    /// Why it is reported.
    pub kind: ChangeKind,
    /// The flight as it is now.
    pub flight: Flight,
}

/// What one poll found, and the checkpoint to store afterwards.
#[derive(Debug, Clone, PartialEq)]
pub struct PollBatch {
    /// New and changed flights, in the server's order.
    pub changes: Vec<FlightChange>,
    /// Where to resume from.
    pub checkpoint: Checkpoint,
    /// How many requests this poll sent (at most [`PollerConfig::max_pages`]).
    pub pages: u32,
    /// Whether this poll read the window's last page (`checkpoint.sweep` is then `None`).
    pub sweep_complete: bool,
}

/// Yields new and changed flights, never polling more often than its interval.
///
/// ```no_run
/// use futures_util::StreamExt;
/// # async fn run(client: fl3xx::OperatorClient) -> fl3xx::Result<()> {
/// let mut batches = Box::pin(fl3xx::FlightPoller::new(client, Default::default()).into_stream());
/// while let Some(batch) = batches.next().await {
///     let batch = batch?;
///     for change in &batch.changes {
///         println!("{:?} {:?}", change.kind, change.flight.flight_number);
///     }
///     // store serde_json::to_string(&batch.checkpoint) to resume after a restart
/// }
/// # Ok(()) }
/// ```
#[derive(Debug, Clone)]
pub struct FlightPoller {
    client: OperatorClient,
    config: PollerConfig,
    checkpoint: Checkpoint,
}

impl FlightPoller {
    /// A poller that has seen nothing yet.
    pub fn new(client: OperatorClient, config: PollerConfig) -> Self {
        Self::resume(client, config, Checkpoint::default())
    }

    /// A poller that continues from a stored checkpoint.
    pub fn resume(client: OperatorClient, config: PollerConfig, checkpoint: Checkpoint) -> Self {
        Self {
            client,
            config,
            checkpoint,
        }
    }

    /// The checkpoint as of the last completed poll.
    pub fn checkpoint(&self) -> &Checkpoint {
        &self.checkpoint
    }

    /// Waits until the interval since the last poll has passed, then polls once: at most
    /// [`PollerConfig::max_pages`] requests, going on with the sweep under way if there is
    /// one.
    ///
    /// # Errors
    /// The first failed page; the checkpoint is left as it was (this poll's pages are read
    /// again by the next one), so nothing is lost.
    pub async fn poll(&mut self) -> Result<PollBatch> {
        if let Some(last) = self.checkpoint.last_poll {
            let since = OffsetDateTime::now_utc() - last;
            let wait = time::Duration::try_from(self.config.interval)
                .unwrap_or(time::Duration::MAX)
                - since;
            if wait.is_positive() {
                tokio::time::sleep(wait.unsigned_abs()).await;
            }
        }
        let started = OffsetDateTime::now_utc();
        let mut sweep = match self.checkpoint.sweep.clone() {
            // A sweep whose window has ended is stale: start again.
            Some(sweep) if sweep.to > started => sweep,
            _ => Sweep {
                from: started - self.config.lookback,
                to: started + self.config.lookahead,
                offset: 0,
                seen: BTreeMap::new(),
            },
        };
        let window = FlightWindow::new(sweep.from, sweep.to)?;
        let mut changes = Vec::new();
        let mut pages = 0;
        let mut complete = false;
        while pages < self.config.max_pages.get() {
            let page = self
                .client
                .list_flights(window)
                .limit(MAX_PAGE_SIZE)
                .offset(sweep.offset)
                .send()
                .await?
                .into_inner()
                .into_vec();
            pages += 1;
            let read = page.len();
            sweep.offset = sweep
                .offset
                .saturating_add(u64::try_from(read).unwrap_or(u64::MAX));
            for flight in page {
                self.compare(flight, &mut sweep.seen, &mut changes);
            }
            if read < usize::from(MAX_PAGE_SIZE) {
                complete = true;
                break;
            }
        }
        let checkpoint = if complete {
            Checkpoint {
                last_poll: Some(started),
                seen: sweep.seen,
                sweep: None,
            }
        } else {
            Checkpoint {
                last_poll: Some(started),
                seen: self.checkpoint.seen.clone(),
                sweep: Some(sweep),
            }
        };
        self.checkpoint = checkpoint.clone();
        Ok(PollBatch {
            changes,
            checkpoint,
            pages,
            sweep_complete: complete,
        })
    }

    /// Notes `flight` in `seen` (this sweep's fingerprints) and adds it to `changes` when it
    /// is new or differs from what this sweep or the last one saw.
    fn compare(
        &self,
        flight: Flight,
        seen: &mut BTreeMap<String, u64>,
        changes: &mut Vec<FlightChange>,
    ) {
        let Some(id) = flight.id().map(|id| id.to_string()) else {
            return;
        };
        let print = fingerprint(&flight);
        let before = seen
            .get(&id)
            .or_else(|| self.checkpoint.seen.get(&id))
            .copied();
        seen.insert(id, print);
        let kind = match before {
            None => ChangeKind::New,
            Some(before) if before != print => ChangeKind::Changed,
            Some(_) => return,
        };
        changes.push(FlightChange { kind, flight });
    }

    /// Polls forever, one batch per interval. A failed poll is an error item; the stream goes
    /// on and tries again after the next interval.
    pub fn into_stream(self) -> impl Stream<Item = Result<PollBatch>> {
        futures_util::stream::unfold(self, |mut poller| async move {
            let result = poller.poll().await;
            if result.is_err() {
                // Count the failed attempt as a poll, so a failing server is not hammered.
                poller.checkpoint.last_poll = Some(OffsetDateTime::now_utc());
            }
            Some((result, poller))
        })
    }
}

/// FNV-1a over the flight's JSON: stable across processes and Rust versions, so stored
/// checkpoints stay valid.
fn fingerprint(flight: &Flight) -> u64 {
    fnv1a(&serde_json::to_vec(flight).unwrap_or_default())
}

fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |hash, byte| {
        (hash ^ u64::from(*byte)).wrapping_mul(0x0100_0000_01b3)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn checkpoints_round_trip_and_fingerprints_are_stable() {
        let flight: Flight =
            serde_json::from_str(r#"{"flightId":"5001","flightNumber":"FLX1001"}"#)
                .expect("flight");
        // The published FNV-1a test vectors: if these change, stored checkpoints break.
        assert_eq!(fnv1a(b""), 0xcbf2_9ce4_8422_2325);
        assert_eq!(fnv1a(b"a"), 0xaf63_dc4c_8601_ec8c);
        assert_eq!(fnv1a(b"foobar"), 0x8594_4171_f739_67e8);
        let mut changed = flight.clone();
        changed.flight_number = Some("FLX1002".into());
        assert_ne!(fingerprint(&flight), fingerprint(&changed));
        let mut seen = BTreeMap::new();
        seen.insert("5001".to_owned(), fingerprint(&flight));
        let checkpoint = Checkpoint {
            last_poll: Some(time::macros::datetime!(2024-01-15 10:30 UTC)),
            seen,
            sweep: None,
        };
        let text = serde_json::to_string(&checkpoint).expect("json");
        assert!(text.contains("2024-01-15T10:30:00Z"), "{text}");
        let back: Checkpoint = serde_json::from_str(&text).expect("back");
        assert_eq!(back, checkpoint);
    }
}
