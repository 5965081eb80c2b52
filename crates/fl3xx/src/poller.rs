//! Polling for new and changed flights within FL3XX's fair-use policy.
//!
//! The policy allows one request every 10 minutes for frequent requests. The poller fetches
//! the flights of a moving window once per interval (10 minutes by default), compares each
//! with what it saw before, and yields the new and changed ones. Its [`Checkpoint`] is
//! serializable: store it after each batch and [`FlightPoller::resume`] from it after a
//! restart, and no flight is reported twice and the interval still holds.

use std::collections::BTreeMap;
use std::time::Duration;

use api_core::Result;
use futures_core::Stream;
use futures_util::TryStreamExt;
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use crate::{Flight, FlightWindow, OperatorClient};

/// Poller settings.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PollerConfig {
    /// Time between two polls (their starts). Default 10 minutes: FL3XX's fair-use interval.
    pub interval: Duration,
    /// How far back the window reaches from now. Default 1 day.
    pub lookback: Duration,
    /// How far ahead the window reaches from now. Default 7 days.
    pub lookahead: Duration,
}

impl Default for PollerConfig {
    fn default() -> Self {
        Self {
            interval: crate::FAIR_USE_INTERVAL,
            lookback: Duration::from_secs(24 * 3600),
            lookahead: Duration::from_secs(7 * 24 * 3600),
        }
    }
}

/// How far a poller got: when it last polled and a fingerprint of every flight it saw.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Checkpoint {
    /// When the last poll started (RFC 3339).
    #[serde(default, with = "time::serde::rfc3339::option")]
    pub last_poll: Option<OffsetDateTime>,
    /// Flight id → a fingerprint of the flight as last seen.
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

    /// Waits until the interval since the last poll has passed, then polls once.
    ///
    /// # Errors
    /// The first failed page; the checkpoint is left as it was, so nothing is lost.
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
        let window = FlightWindow::new(
            started - self.config.lookback,
            started + self.config.lookahead,
        )?;
        let flights: Vec<Flight> = self
            .client
            .list_flights(window)
            .paginate()
            .try_collect()
            .await?;
        // Only the flights of this window are remembered, so the checkpoint stays the size
        // of one window (a flight that re-enters it later is reported as new).
        let mut checkpoint = Checkpoint {
            last_poll: Some(started),
            seen: BTreeMap::new(),
        };
        let mut changes = Vec::new();
        for flight in flights {
            let Some(id) = flight.id().map(|id| id.to_string()) else {
                continue;
            };
            let print = fingerprint(&flight);
            checkpoint.seen.insert(id.clone(), print);
            let kind = match self.checkpoint.seen.get(&id).copied() {
                None => Some(ChangeKind::New),
                Some(before) if before != print => Some(ChangeKind::Changed),
                Some(_) => None,
            };
            if let Some(kind) = kind {
                changes.push(FlightChange { kind, flight });
            }
        }
        self.checkpoint = checkpoint.clone();
        Ok(PollBatch {
            changes,
            checkpoint,
        })
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
        };
        let text = serde_json::to_string(&checkpoint).expect("json");
        assert!(text.contains("2024-01-15T10:30:00Z"), "{text}");
        let back: Checkpoint = serde_json::from_str(&text).expect("back");
        assert_eq!(back, checkpoint);
    }
}
