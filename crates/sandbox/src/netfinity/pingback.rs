//! Pingbacks: the status reports POSTed to the callback URL after a message is accepted.

use std::time::Duration;

use axum::body::Bytes;
use axum::http::header::{ACCEPT, CONTENT_TYPE};
use serde::Serialize;
use time::OffsetDateTime;
use time::macros::format_description;

use super::{NetfinityHandle, PingbackRecord};
use crate::common::ids::uuid_v4;
use crate::http_client;

/// Numbers starting with this are rejected: one pingback 501.
pub(super) const REJECTED_DESTINATION_PREFIX: &str = "3590000";
/// Numbers starting with this run out of funds: 301 with a voucher, then 400.
pub(super) const INSUFFICIENT_FUNDS_PREFIX: &str = "3599999";

/// The `service` of every pingback of this API.
const SERVICE: &str = "sms-notification";
/// How long one delivery attempt may take, as documented.
const ATTEMPT_TIMEOUT: Duration = Duration::from_secs(30);
/// Delivery attempts of one pingback: the first and 3 retries, as documented.
const MAX_ATTEMPTS: u32 = 4;
/// How long a voucher of a 301 pingback stays valid (our choice; not documented).
const VOUCHER_VALIDITY: time::Duration = time::Duration::days(30);

/// What happens to an accepted message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Outcome {
    /// 201, 202, 203, 204.
    Delivered,
    /// 401: the `id` was used before (ever), or the text went to this number in the last 10
    /// minutes.
    FloodProtection,
    /// 501.
    RejectedDestination,
    /// 301 with a voucher, then 400.
    InsufficientFunds,
}

impl Outcome {
    /// The status codes reported, in order.
    fn codes(self) -> &'static [u16] {
        match self {
            Outcome::Delivered => &[201, 202, 203, 204],
            Outcome::FloodProtection => &[401],
            Outcome::RejectedDestination => &[501],
            Outcome::InsufficientFunds => &[301, 400],
        }
    }
}

#[derive(Serialize)]
struct Body<'a> {
    uuid: &'a str,
    id: Option<&'a str>,
    service: &'static str,
    timestamp: String,
    payload: Payload,
}

#[derive(Serialize)]
struct Payload {
    status: Status,
    #[serde(skip_serializing_if = "Option::is_none")]
    meta: Option<Meta>,
}

#[derive(Serialize)]
struct Status {
    code: u16,
    description: &'static str,
}

#[derive(Serialize)]
struct Meta {
    voucher: Voucher,
}

#[derive(Serialize)]
struct Voucher {
    uuid: String,
    expires: String,
}

/// Sends the pingbacks of one message, one after the other, in a spawned task that stops when
/// the sandbox stops.
pub(super) fn spawn(
    handle: NetfinityHandle,
    url: String,
    uuid: String,
    id: Option<String>,
    outcome: Outcome,
) {
    let mut stopped = handle.inner.stopped.clone();
    tokio::spawn(async move {
        tokio::select! {
            _ = stopped.wait_for(|stop| *stop) => {}
            () = run(&handle, &url, &uuid, id.as_deref(), outcome) => {}
        }
    });
}

async fn run(handle: &NetfinityHandle, url: &str, uuid: &str, id: Option<&str>, outcome: Outcome) {
    let config = handle.config();
    for &code in outcome.codes() {
        handle.clock().sleep(config.pingback_delay).await;
        let description = description(code);
        let record = send_one(handle, url, uuid, id, code, description).await;
        handle.record_pingback(record);
    }
}

/// One pingback with `code`, delivered with the documented retries; its record.
async fn send_one(
    handle: &NetfinityHandle,
    url: &str,
    uuid: &str,
    id: Option<&str>,
    code: u16,
    description: &'static str,
) -> PingbackRecord {
    let config = handle.config();
    let now = handle.clock().utc();
    let meta = (code == 301).then(|| Meta {
        voucher: Voucher {
            uuid: uuid_v4(),
            expires: voucher_expiry(now + VOUCHER_VALIDITY),
        },
    });
    let body = Body {
        uuid,
        id,
        service: SERVICE,
        timestamp: timestamp(now),
        payload: Payload {
            status: Status { code, description },
            meta,
        },
    };
    let bytes = Bytes::from(serde_json::to_vec(&body).unwrap_or_default());
    let value = serde_json::to_value(&body).unwrap_or_default();
    let mut attempts = 0;
    let mut ack_body = None;
    while attempts < MAX_ATTEMPTS {
        if attempts > 0 {
            handle.clock().sleep(config.pingback_retry_delay).await;
        }
        attempts += 1;
        match deliver(url, bytes.clone()).await {
            Ok(ack) => {
                ack_body = Some(ack);
                break;
            }
            Err(reason) => {
                tracing::debug!(%url, code, attempts, %reason, "netfinity pingback not acknowledged");
            }
        }
    }
    PingbackRecord {
        uuid: uuid.to_owned(),
        id: id.map(str::to_owned),
        code,
        body: value,
        attempts,
        acknowledged: ack_body.is_some(),
        ack_body,
    }
}

/// Every status code a pingback reports (the documents' table), with its description.
const STATUSES: &[(u16, &str)] = &[
    (201, "Queued"),
    (202, "Delivery queued in remote network"),
    (203, "Delivered to SMSC"),
    (204, "Delivered to end user"),
    (301, "Delayed due to Insufficient funds"),
    (400, "Rejected Funds"),
    (401, "Rejected by Recipient protection"),
    (501, "Rejected Destination"),
];

/// The documented description of `code`.
fn description(code: u16) -> &'static str {
    STATUSES
        .iter()
        .find(|(c, _)| *c == code)
        .map_or("Unknown", |(_, d)| *d)
}

impl NetfinityHandle {
    /// Sends one pingback with status `code` to `url`, now, for the message `uuid` (and your
    /// `id`), with the documented retries; answers its record, or `None` for a code the
    /// documents do not list.
    pub async fn trigger_pingback(
        &self,
        url: &str,
        uuid: &str,
        id: Option<&str>,
        code: u16,
    ) -> Option<PingbackRecord> {
        STATUSES.iter().find(|(c, _)| *c == code)?;
        let record = send_one(self, url, uuid, id, code, description(code)).await;
        self.record_pingback(record.clone());
        Some(record)
    }
}

/// One POST; the receiver's body when it answered 200.
async fn deliver(url: &str, body: Bytes) -> Result<String, String> {
    let headers = [
        (ACCEPT, "application/json"),
        (CONTENT_TYPE, "application/json"),
    ];
    let answer = http_client::post(url, &headers, body, ATTEMPT_TIMEOUT).await?;
    if answer.status != 200 {
        return Err(format!("status {}", answer.status));
    }
    Ok(String::from_utf8_lossy(&answer.body).into_owned())
}

/// `YYYY-MM-DD HH:MM:SS`, the form of the docs' one voucher example ("expires":
/// "2020-12-31 23:59:59", api/smsnotification/process); UTC here.
fn voucher_expiry(at: OffsetDateTime) -> String {
    at.format(format_description!(
        "[year]-[month]-[day] [hour]:[minute]:[second]"
    ))
    .unwrap_or_default()
}

/// The packet's `timestamp`, which the docs describe ("the time and date the message was
/// generated") without a format: RFC 3339 in UTC with microseconds, as Laravel writes dates
/// in JSON (`2020-12-31T21:59:59.000000Z`; INFERRED).
fn timestamp(at: OffsetDateTime) -> String {
    let at = at.to_offset(time::UtcOffset::UTC);
    at.format(format_description!(
        "[year]-[month]-[day]T[hour]:[minute]:[second].[subsecond digits:6]Z"
    ))
    .unwrap_or_default()
}
