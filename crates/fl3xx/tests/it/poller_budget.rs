//! `FlightPoller` against the sandbox's fair-use limit (`Fl3xxConfig::fair_use_limit`): one
//! poll sends at most `max_pages` requests, so a window of several hundred flights is swept
//! over several polls, each inside the budget, where reading it in one go is refused.
//!
//! No test here sleeps: the sandbox's fair-use window is an hour long and the test ends it
//! with `Fl3xxHandle::end_fair_use_window` between polls (as an hour passing would), and the
//! poller's interval is zero. Tokio's paused clock is no help: the poller's interval is
//! wall-clock time (`Checkpoint::last_poll` must survive a restart) and the sandbox answers
//! on the same runtime, whose client timeouts a paused clock would fire.

use std::collections::BTreeSet;
use std::num::NonZeroU32;
use std::time::Duration;

use api_sandbox::{Fl3xxConfig, Sandbox, SandboxConfig};
use fl3xx::prelude::*;
use fl3xx::{
    ChangeKind, Fl3xx, FlightPoller, FlightWindow, MAX_PAGE_SIZE, OperatorClient, PollerConfig,
};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

const CLIENT: &str = "sandbox-fl3xx-client";
const A: &str = "sandbox-fl3xx-operator-a";
const B: &str = "sandbox-fl3xx-operator-b";
/// Requests per operator in one sandbox window.
const LIMIT: u32 = 2;

async fn sandbox() -> Sandbox {
    Sandbox::start(SandboxConfig {
        fl3xx: Fl3xxConfig {
            fair_use_limit: LIMIT,
            fair_use_window: Duration::from_secs(3600),
            // Every 3 hours from 2 days ago: about 250 in the poller's 31-day window.
            flights: 400,
            ..Fl3xxConfig::default()
        },
        ..SandboxConfig::default()
    })
    .await
    .expect("sandbox starts")
}

fn operator(sandbox: &Sandbox, token: &str) -> OperatorClient {
    Fl3xx::builder()
        .client_id(CLIENT)
        .base_url(sandbox.fl3xx_url())
        .build()
        .expect("partner")
        .for_operator(token)
        .expect("operator")
}

fn config() -> PollerConfig {
    PollerConfig {
        interval: Duration::ZERO,
        lookback: Duration::from_secs(24 * 3600),
        lookahead: Duration::from_secs(30 * 24 * 3600),
        max_pages: NonZeroU32::new(LIMIT).expect("not zero"),
    }
}

/// The flight-list requests of `token` the sandbox answered, as their statuses.
fn flight_requests(sandbox: &Sandbox, token: &str) -> Vec<u16> {
    sandbox
        .fl3xx()
        .requests()
        .iter()
        .filter(|r| r.path.ends_with("/api/v2/flights") && r.header("x-auth-token") == Some(token))
        .map(|r| r.status)
        .collect()
}

/// The ids of `token`'s flights whose blocks-off time is within `from..=to`.
fn flights_between(
    sandbox: &Sandbox,
    token: &str,
    from: OffsetDateTime,
    to: OffsetDateTime,
) -> BTreeSet<String> {
    sandbox
        .fl3xx()
        .flights(token)
        .iter()
        .filter(|f| {
            let off = f["blocksOffEstimatedDateTime"].as_str().expect("a time");
            let off = OffsetDateTime::parse(off, &Rfc3339).expect("RFC 3339");
            from <= off && off <= to
        })
        .map(|f| f["flightId"].as_str().expect("an id").to_owned())
        .collect()
}

#[tokio::test]
async fn a_large_window_is_swept_over_polls_each_within_the_fair_use_limit() {
    let sandbox = sandbox().await;
    let mut poller = FlightPoller::new(operator(&sandbox, A), config());
    let mut reported = Vec::new();
    let mut window = None;
    let mut polls = 0;
    let mut pages = 0;
    loop {
        let batch = poller
            .poll()
            .await
            .expect("every poll stays within the limit");
        polls += 1;
        pages += batch.pages;
        assert!(batch.pages <= LIMIT, "{} requests in one poll", batch.pages);
        let statuses = flight_requests(&sandbox, A);
        assert_eq!(
            statuses.len(),
            pages as usize,
            "the poll counts what it sent"
        );
        assert!(statuses.iter().all(|s| *s == 200), "{statuses:?}");
        for change in &batch.changes {
            assert_eq!(change.kind, ChangeKind::New);
            reported.push(change.flight.id().expect("an id").to_string());
        }
        if let Some(sweep) = &batch.checkpoint.sweep {
            // Every poll of a sweep reads the same window, going on where the last stopped.
            let here = (sweep.from, sweep.to);
            assert_eq!(*window.get_or_insert(here), here);
            assert_eq!(sweep.offset, u64::from(pages) * u64::from(MAX_PAGE_SIZE));
            assert_eq!(batch.checkpoint.seen.len(), 0, "no sweep finished yet");
        }
        if batch.sweep_complete {
            assert!(batch.checkpoint.sweep.is_none());
            assert_eq!(batch.checkpoint.seen.len(), reported.len());
            break;
        }
        assert!(polls < 10, "the sweep does not end");
        // The sandbox's window ends, as an hour passing would; the poller restarts from its
        // stored checkpoint and goes on with the sweep.
        assert!(sandbox.fl3xx().end_fair_use_window(A));
        let stored = serde_json::to_string(&batch.checkpoint).expect("stored");
        let restored = serde_json::from_str(&stored).expect("restored");
        poller = FlightPoller::resume(operator(&sandbox, A), config(), restored);
    }

    let (from, to) = window.expect("the window took more than one poll");
    let expected = flights_between(&sandbox, A, from, to);
    assert!(
        expected.len() > 4 * usize::from(MAX_PAGE_SIZE),
        "{}",
        expected.len()
    );
    let unique: BTreeSet<String> = reported.iter().cloned().collect();
    assert_eq!(unique.len(), reported.len(), "each flight reported once");
    assert_eq!(unique, expected, "every flight of the window");
    // n flights take n / 50 + 1 pages (the last one short), LIMIT a poll.
    let needed = expected.len() / usize::from(MAX_PAGE_SIZE) + 1;
    assert_eq!(pages as usize, needed);
    assert_eq!(polls as usize, needed.div_ceil(LIMIT as usize));

    // The stored checkpoint resumes after a restart: the next sweep starts over at offset 0,
    // reports no flight it already saw (none changed; only a flight that entered the window
    // since, at its edge, could be new), and again stops at the budget.
    assert!(sandbox.fl3xx().end_fair_use_window(A));
    let stored = serde_json::to_string(poller.checkpoint()).expect("stored");
    let restored: fl3xx::Checkpoint = serde_json::from_str(&stored).expect("restored");
    let mut again = FlightPoller::resume(operator(&sandbox, A), config(), restored.clone());
    let quiet = again.poll().await.expect("within the limit");
    for change in &quiet.changes {
        let id = change.flight.id().expect("an id").to_string();
        assert!(!restored.seen.contains_key(&id), "{id} reported again");
    }
    assert_eq!(quiet.pages, LIMIT);
    let sweep = quiet.checkpoint.sweep.expect("a new sweep under way");
    assert_eq!(sweep.offset, u64::from(LIMIT) * u64::from(MAX_PAGE_SIZE));
}

#[tokio::test]
async fn reading_the_same_window_in_one_go_trips_the_limit() {
    // The control: operator B pages through a window as large as the poller's without a
    // budget, and the sandbox refuses the request after LIMIT.
    let sandbox = sandbox().await;
    let now = OffsetDateTime::now_utc();
    let window = FlightWindow::new(
        now - time::Duration::days(1),
        now + time::Duration::days(30),
    )
    .expect("a window");
    let error = operator(&sandbox, B)
        .list_flights(window)
        .paginate()
        .try_collect::<Vec<_>>()
        .await
        .expect_err("more pages than the limit allows");
    assert!(error.is_rate_limited(), "{error:?}");
    let statuses = flight_requests(&sandbox, B);
    assert_eq!(statuses[..LIMIT as usize], [200, 200]);
    assert_eq!(statuses.get(LIMIT as usize), Some(&403), "{statuses:?}");
}
