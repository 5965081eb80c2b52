//! `FlightPoller` against wiremock: new and changed flights, the interval between polls,
//! resuming from a stored checkpoint, and the stream of batches.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use api_core::RetryConfig;
use fl3xx::{ChangeKind, Checkpoint, Fl3xx, FlightPoller, OperatorClient, PollBatch, PollerConfig};
use futures_util::StreamExt;
use serde_json::{Value, json};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, Request, Respond, ResponseTemplate};

const INTERVAL: Duration = Duration::from_millis(200);

/// Answers the flight list from a script, one answer per request (the last one repeats), and
/// notes when each request arrived.
#[derive(Clone)]
struct Script {
    answers: Arc<Vec<ResponseTemplate>>,
    calls: Arc<AtomicUsize>,
    arrivals: Arc<Mutex<Vec<Instant>>>,
}

impl Script {
    fn new(answers: Vec<ResponseTemplate>) -> Self {
        Self {
            answers: Arc::new(answers),
            calls: Arc::new(AtomicUsize::new(0)),
            arrivals: Arc::new(Mutex::new(Vec::new())),
        }
    }

    fn arrivals(&self) -> Vec<Instant> {
        self.arrivals.lock().expect("not poisoned").clone()
    }
}

impl Respond for Script {
    fn respond(&self, _request: &Request) -> ResponseTemplate {
        self.arrivals
            .lock()
            .expect("not poisoned")
            .push(Instant::now());
        let n = self.calls.fetch_add(1, Ordering::SeqCst);
        self.answers[n.min(self.answers.len() - 1)].clone()
    }
}

async fn scripted(answers: Vec<ResponseTemplate>) -> (MockServer, Script) {
    let server = MockServer::start().await;
    let script = Script::new(answers);
    Mock::given(method("GET"))
        .and(path("/api/v2/flights"))
        .respond_with(script.clone())
        .mount(&server)
        .await;
    (server, script)
}

fn operator(server: &MockServer) -> OperatorClient {
    Fl3xx::builder()
        .client_id("fl3xx-poller-client")
        .base_url(server.uri())
        .configure(|t| {
            t.retry(RetryConfig {
                initial_backoff: Duration::from_millis(1),
                ..RetryConfig::default()
            })
        })
        .build()
        .expect("partner")
        .for_operator("fl3xx-poller-token")
        .expect("operator")
}

fn config() -> PollerConfig {
    PollerConfig {
        interval: INTERVAL,
        ..PollerConfig::default()
    }
}

fn flights(items: Value) -> ResponseTemplate {
    ResponseTemplate::new(200).set_body_json(items)
}

/// The first poll's flights: two with `flightId`, one known only by `id`, one without any id.
fn first_set() -> Value {
    json!([
        {"flightId": "5001", "flightNumber": "FLX1001", "tailNumber": "9H-ABC"},
        {"flightId": "5002", "flightNumber": "FLX1002", "tailNumber": "9H-DEF"},
        {"id": 7003, "flightNumber": "FLX1003"},
        {"flightNumber": "NO-ID"}
    ])
}

/// The second poll's: 5001's aircraft changed, 5004 is new, the others are as before.
fn second_set() -> Value {
    json!([
        {"flightId": "5004", "flightNumber": "FLX1004"},
        {"flightId": "5001", "flightNumber": "FLX1001", "tailNumber": "9H-XYZ"},
        {"flightId": "5002", "flightNumber": "FLX1002", "tailNumber": "9H-DEF"},
        {"id": 7003, "flightNumber": "FLX1003"},
        {"flightNumber": "NO-ID"}
    ])
}

/// `(kind, id)` of every change in a batch, in order.
fn changes(batch: &PollBatch) -> Vec<(ChangeKind, String)> {
    batch
        .changes
        .iter()
        .map(|c| {
            (
                c.kind,
                c.flight
                    .id()
                    .expect("reported flights have ids")
                    .to_string(),
            )
        })
        .collect()
}

fn ids(checkpoint: &Checkpoint) -> Vec<&str> {
    checkpoint.seen.keys().map(String::as_str).collect()
}

#[tokio::test]
async fn new_then_changed_flights_no_faster_than_the_interval() {
    let (server, script) = scripted(vec![flights(first_set()), flights(second_set())]).await;
    let mut poller = FlightPoller::new(operator(&server), config());
    assert_eq!(poller.checkpoint(), &Checkpoint::default());

    let before = Instant::now();
    let first = poller.poll().await.expect("first poll");
    assert_eq!(
        changes(&first),
        [
            (ChangeKind::New, "5001".to_owned()),
            (ChangeKind::New, "5002".to_owned()),
            (ChangeKind::New, "7003".to_owned()),
        ]
    );
    assert_eq!(first.changes[0].flight.tail(), Some("9H-ABC"));
    assert_eq!(ids(&first.checkpoint), ["5001", "5002", "7003"]);
    assert_eq!(poller.checkpoint(), &first.checkpoint);
    let first_start = first.checkpoint.last_poll.expect("a first poll time");

    let second = poller.poll().await.expect("second poll");
    assert_eq!(
        changes(&second),
        [
            (ChangeKind::New, "5004".to_owned()),
            (ChangeKind::Changed, "5001".to_owned()),
        ]
    );
    assert_eq!(second.changes[1].flight.tail(), Some("9H-XYZ"));
    assert_eq!(ids(&second.checkpoint), ["5001", "5002", "5004", "7003"]);
    assert_ne!(
        first.checkpoint.seen["5001"],
        second.checkpoint.seen["5001"]
    );
    assert_eq!(
        first.checkpoint.seen["5002"],
        second.checkpoint.seen["5002"]
    );

    // The second poll started one interval after the first, by the poller's clock and by
    // the server's.
    let second_start = second.checkpoint.last_poll.expect("a second poll time");
    assert!(
        second_start - first_start >= INTERVAL,
        "{first_start} → {second_start}"
    );
    let arrivals = script.arrivals();
    assert_eq!(arrivals.len(), 2, "one page per poll");
    let waited = arrivals[1].duration_since(before);
    assert!(
        waited >= INTERVAL,
        "the second request came {waited:?} after the first poll began"
    );
    assert!(waited < INTERVAL + Duration::from_secs(5), "{waited:?}");

    // Each poll asks for the whole window (a day back, a week ahead), 50 at a time.
    let requests = server.received_requests().await.expect("recorded");
    for request in &requests {
        let query: Vec<(String, String)> = request.url.query_pairs().into_owned().collect();
        assert_eq!(query.len(), 3, "{query:?}");
        assert_eq!((query[1].0.as_str(), query[1].1.as_str()), ("limit", "50"));
        assert_eq!((query[2].0.as_str(), query[2].1.as_str()), ("offset", "0"));
        assert_eq!(query[0].0, "filter");
        let parts: Vec<&str> = query[0].1.split(',').collect();
        assert_eq!(parts[..2], ["blocksOffEstimatedDateTime", "BTW"]);
        let from = OffsetDateTime::parse(parts[2], &Rfc3339).expect("from");
        let to = OffsetDateTime::parse(parts[3], &Rfc3339).expect("to");
        assert_eq!(to - from, time::Duration::days(8));
    }
}

#[tokio::test]
async fn a_resumed_poller_reports_nothing_for_unchanged_flights() {
    let (server, _script) = scripted(vec![flights(first_set())]).await;
    let mut poller = FlightPoller::new(operator(&server), config());
    let first = poller.poll().await.expect("first poll");
    assert_eq!(first.changes.len(), 3);
    let stored = serde_json::to_string(&first.checkpoint).expect("stored");
    drop(poller);

    // A restart: another client, the checkpoint read back from storage.
    let restored: Checkpoint = serde_json::from_str(&stored).expect("restored");
    assert_eq!(restored, first.checkpoint);
    let (server, script) = scripted(vec![flights(first_set())]).await;
    let mut poller = FlightPoller::resume(operator(&server), config(), restored);
    let resumed = poller.poll().await.expect("resumed poll");
    assert!(resumed.changes.is_empty(), "{:?}", changes(&resumed));
    assert_eq!(resumed.checkpoint.seen, first.checkpoint.seen);
    let last = first.checkpoint.last_poll.expect("first time");
    let now = resumed.checkpoint.last_poll.expect("resumed time");
    assert!(now - last >= INTERVAL, "the stored interval still holds");
    assert_eq!(script.arrivals().len(), 1);
}

#[tokio::test]
async fn the_stream_yields_batches_and_survives_a_failed_poll() {
    let (server, script) = scripted(vec![
        ResponseTemplate::new(500).set_body_json(json!({"message": "database down"})),
        flights(first_set()),
        flights(first_set()),
    ])
    .await;
    let stream = FlightPoller::new(operator(&server), config()).into_stream();
    let mut stream = std::pin::pin!(stream);
    let mut next = async || {
        tokio::time::timeout(Duration::from_secs(5), stream.next())
            .await
            .expect("a batch within the interval")
            .expect("the stream goes on")
    };

    let failed = next().await.expect_err("the server failed");
    assert_eq!(failed.status().map(|s| s.as_u16()), Some(500));
    let batch = next().await.expect("second poll");
    assert_eq!(
        changes(&batch),
        [
            (ChangeKind::New, "5001".to_owned()),
            (ChangeKind::New, "5002".to_owned()),
            (ChangeKind::New, "7003".to_owned()),
        ]
    );
    let quiet = next().await.expect("third poll");
    assert!(quiet.changes.is_empty());
    assert_eq!(quiet.checkpoint.seen, batch.checkpoint.seen);
    let (started, restarted) = (
        batch.checkpoint.last_poll.expect("second time"),
        quiet.checkpoint.last_poll.expect("third time"),
    );
    assert!(restarted - started >= INTERVAL, "{started} → {restarted}");

    // Even after the failure, polls stayed an interval apart at the server (less the
    // difference between two requests' own latencies).
    let arrivals = script.arrivals();
    assert_eq!(arrivals.len(), 3);
    for pair in arrivals.windows(2) {
        let gap = pair[1].duration_since(pair[0]);
        assert!(
            gap >= INTERVAL - Duration::from_millis(20),
            "polls {gap:?} apart"
        );
    }
}
