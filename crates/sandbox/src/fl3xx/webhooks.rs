//! Webhook subscriptions (`/api/v2/webhooks/subscriptions…`) and the signed deliveries the
//! sandbox POSTs when a flight changes.

use std::net::IpAddr;
use std::time::Duration;

use axum::body::Bytes;
use axum::http::header::CONTENT_TYPE;
use axum::http::{HeaderName, HeaderValue, Uri};
use serde::Serialize;
use serde_json::{Map, Value};
use time::{Date, Month, OffsetDateTime};

use super::routes::{Answer, Problem, Req, created, data, no_content, ok};
use super::{Fl3xxHandle, Operator, WebhookDeliveryRecord, format_time};
use crate::common::ids::uuid_v4;
use crate::http_client;

/// The event a subscription may name, as the spec lists it: a `WebhookEventType` value that is
/// not `x-answer-only` (the group events, such as `FLIGHT_UPDATE`, only appear in deliveries).
fn subscribable(event: &str) -> Option<&'static str> {
    let schema =
        &crate::schema::Spec::of("fl3xx")?.root["components"]["schemas"]["WebhookEventType"];
    let group = |e: &str| {
        schema["x-answer-only"]
            .as_array()
            .is_some_and(|values| values.iter().any(|v| v == e))
    };
    schema["enum"]
        .as_array()?
        .iter()
        .filter_map(serde_json::Value::as_str)
        .find(|e| *e == event && !group(e))
}

/// The signature header of a delivery.
const X_WEBHOOK_SIGNATURE: HeaderName = HeaderName::from_static("x-webhook-signature");
/// How long one delivery attempt may take (the receiver must answer within 1 s).
const ATTEMPT_TIMEOUT: Duration = Duration::from_secs(1);
/// Attempts of one delivery (our choice: retries are not documented).
const MAX_ATTEMPTS: u32 = 3;
/// The pause between attempts (our choice).
const RETRY_DELAY: Duration = Duration::from_millis(200);
/// Renewal opens this long before expiry.
const RENEWAL_WINDOW: time::Duration = time::Duration::days(5);

const NOT_FOUND: &str = "Webhook subscription not found";
const HTTPS_ONLY: &str = "callbackUrl must be an https URL";
const STATUS_INVALID: &str = "status must be ACTIVE or INACTIVE";
const RENEWAL_CLOSED: &str = "Renewal is only allowed within the last 5 days before expiration";

/// One subscription of an operator.
#[derive(Debug, Clone)]
pub(super) struct Subscription {
    pub(super) id: String,
    event: &'static str,
    callback_url: String,
    signing_key: String,
    active: bool,
    created: OffsetDateTime,
    updated: OffsetDateTime,
    pub(super) expires: OffsetDateTime,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SubscriptionJson<'a> {
    id: &'a str,
    event: &'a str,
    callback_url: &'a str,
    status: &'static str,
    created_at_date_time: String,
    updated_at_date_time: String,
    expiration_date_time: String,
}

impl Subscription {
    /// The subscription as the API shows it (never with its signing key).
    fn wire(&self) -> SubscriptionJson<'_> {
        SubscriptionJson {
            id: &self.id,
            event: self.event,
            callback_url: &self.callback_url,
            status: if self.active { "ACTIVE" } else { "INACTIVE" },
            created_at_date_time: format_time(self.created),
            updated_at_date_time: format_time(self.updated),
            expiration_date_time: format_time(self.expires),
        }
    }
}

/// `GET /api/v2/webhooks/subscriptions`: active and inactive, in creation order.
pub(super) fn list(operator: &Operator) -> Answer {
    ok(&data(
        operator
            .subscriptions
            .iter()
            .map(Subscription::wire)
            .collect(),
    ))
}

/// `POST /api/v2/webhooks/subscriptions` `{event, callbackUrl, signingKey}` → 201.
pub(super) fn create(operator: &mut Operator, next: &mut u64, req: &Req) -> Answer {
    let fields = req.json_object()?;
    let event = required(&fields, "event")?;
    let event = subscribable(&event)
        .ok_or_else(|| Problem::bad_request(format!("Unsupported event type '{event}'")))?;
    let callback_url = required(&fields, "callbackUrl")?;
    if !callback_allowed(&callback_url) {
        return Err(Problem::bad_request(HTTPS_ONLY));
    }
    let signing_key = required(&fields, "signingKey")?;
    let now = req.now;
    let subscription = Subscription {
        id: format!("WS-{next}"),
        event,
        callback_url,
        signing_key,
        active: true,
        created: now,
        updated: now,
        expires: plus_one_month(now),
    };
    *next += 1;
    let answer = created(&subscription.wire());
    operator.subscriptions.push(subscription);
    answer
}

/// `GET /api/v2/webhooks/subscriptions/{id}`.
pub(super) fn get(operator: &Operator, id: &str) -> Answer {
    let subscription = operator
        .subscriptions
        .iter()
        .find(|s| s.id == id)
        .ok_or_else(|| Problem::not_found(NOT_FOUND))?;
    ok(&subscription.wire())
}

/// `PATCH /api/v2/webhooks/subscriptions/{id}` `{callbackUrl?, status?}`.
pub(super) fn patch(operator: &mut Operator, id: &str, req: &Req) -> Answer {
    let fields = req.json_object()?;
    let index = position(operator, id)?;
    let callback_url = match fields.get("callbackUrl") {
        None | Some(Value::Null) => None,
        Some(Value::String(url)) if callback_allowed(url) => Some(url.clone()),
        Some(_) => return Err(Problem::bad_request(HTTPS_ONLY)),
    };
    let active = match fields.get("status") {
        None | Some(Value::Null) => None,
        Some(Value::String(s)) if s == "ACTIVE" => Some(true),
        Some(Value::String(s)) if s == "INACTIVE" => Some(false),
        Some(_) => return Err(Problem::bad_request(STATUS_INVALID)),
    };
    let subscription = &mut operator.subscriptions[index];
    if let Some(url) = callback_url {
        subscription.callback_url = url;
    }
    if let Some(active) = active {
        subscription.active = active;
    }
    subscription.updated = req.now;
    ok(&subscription.wire())
}

/// `DELETE /api/v2/webhooks/subscriptions/{id}` → 204.
pub(super) fn delete(operator: &mut Operator, id: &str) -> Answer {
    let index = position(operator, id)?;
    operator.subscriptions.remove(index);
    no_content()
}

/// `POST /api/v2/webhooks/subscriptions/{id}/renewals`: one month more, only within the
/// last 5 days before expiry.
pub(super) fn renew(operator: &mut Operator, id: &str, now: OffsetDateTime) -> Answer {
    let index = position(operator, id)?;
    let subscription = &mut operator.subscriptions[index];
    if now < subscription.expires - RENEWAL_WINDOW || now >= subscription.expires {
        return Err(Problem::bad_request(RENEWAL_CLOSED));
    }
    subscription.expires = plus_one_month(subscription.expires);
    subscription.updated = now;
    ok(&subscription.wire())
}

fn position(operator: &Operator, id: &str) -> Result<usize, Problem> {
    operator
        .subscriptions
        .iter()
        .position(|s| s.id == id)
        .ok_or_else(|| Problem::not_found(NOT_FOUND))
}

/// A required non-blank string field; 400 `<field> is required` otherwise.
fn required(fields: &Map<String, Value>, name: &str) -> Result<String, Problem> {
    fields
        .get(name)
        .and_then(Value::as_str)
        .filter(|v| !v.trim().is_empty())
        .map(str::to_owned)
        .ok_or_else(|| Problem::bad_request(format!("{name} is required")))
}

/// `https://` with a host, or (the sandbox's exception, so local tests can receive)
/// `http://` on a loopback host.
fn callback_allowed(url: &str) -> bool {
    let Ok(uri) = url.parse::<Uri>() else {
        return false;
    };
    let Some(host) = uri.host().filter(|h| !h.is_empty()) else {
        return false;
    };
    match uri.scheme_str() {
        Some(scheme) if scheme.eq_ignore_ascii_case("https") => true,
        Some(scheme) if scheme.eq_ignore_ascii_case("http") => {
            let host = host.trim_start_matches('[').trim_end_matches(']');
            host.eq_ignore_ascii_case("localhost")
                || host.parse::<IpAddr>().is_ok_and(|ip| ip.is_loopback())
        }
        _ => false,
    }
}

/// `at` one calendar month later (31 January → the last day of February).
fn plus_one_month(at: OffsetDateTime) -> OffsetDateTime {
    let date = at.date();
    let (year, month) = match date.month() {
        Month::December => (date.year() + 1, Month::January),
        month => (date.year(), month.next()),
    };
    let day = date.day().min(month.length(year));
    Date::from_calendar_date(year, month, day).map_or(at, |d| at.replace_date(d))
}

// ---------------------------------------------------------------------------------------
// Deliveries

/// A flight event, and the subscriptions it goes to.
#[derive(Debug)]
pub(super) struct Event {
    event: &'static str,
    flight_id: u64,
    operator_uuid: String,
    targets: Vec<Target>,
}

#[derive(Debug)]
struct Target {
    subscription_id: String,
    url: String,
    key: String,
}

impl Event {
    /// `event` on `flight_id`, for the operator's active, unexpired subscriptions to it.
    pub(super) fn new(
        operator: &Operator,
        event: &'static str,
        flight_id: u64,
        now: OffsetDateTime,
    ) -> Event {
        Event {
            event,
            flight_id,
            operator_uuid: operator.uuid.clone(),
            targets: operator
                .subscriptions
                .iter()
                .filter(|s| s.active && s.event == event && now < s.expires)
                .map(|s| Target {
                    subscription_id: s.id.clone(),
                    url: s.callback_url.clone(),
                    key: s.signing_key.clone(),
                })
                .collect(),
        }
    }
}

/// The delivery body, in the documented field order.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Body<'a> {
    event_id: String,
    resource_id: u64,
    operator_uuid: &'a str,
    event: &'a str,
    timestamp: i64,
    resource_type: &'static str,
}

/// Sends `event` to each of its subscriptions, each in a task that stops when the sandbox
/// stops. One event has one `eventId`, shared by its deliveries.
pub(super) fn fire(handle: &Fl3xxHandle, event: Event) {
    if event.targets.is_empty() {
        return;
    }
    let now = handle.clock().utc();
    let timestamp = i64::try_from(now.unix_timestamp_nanos() / 1_000_000).unwrap_or(0);
    let body = Body {
        event_id: uuid_v4(),
        resource_id: event.flight_id,
        operator_uuid: &event.operator_uuid,
        event: event.event,
        timestamp,
        resource_type: "FLIGHT",
    };
    let body = serde_json::to_string(&body).unwrap_or_default();
    for target in event.targets {
        let handle = handle.clone();
        let body = body.clone();
        let mut stopped = handle.inner.stopped.clone();
        handle.inner.runtime.clone().spawn(async move {
            tokio::select! {
                _ = stopped.wait_for(|stop| *stop) => {}
                () = deliver(&handle, target, body) => {}
            }
        });
    }
}

impl Fl3xxHandle {
    /// Sends one signed delivery of `event` about flight `resource_id` to `url`, now, signed
    /// with `key` as a subscription's would be (`X-Webhook-Signature`), with up to 3 attempts;
    /// answers its record. Any event name is sent as given: a documented one, or one to test
    /// how a receiver takes a name it does not know.
    pub async fn trigger_webhook(
        &self,
        url: &str,
        key: &str,
        event: &str,
        resource_id: u64,
    ) -> Option<WebhookDeliveryRecord> {
        let operator_uuid = self
            .state()
            .operators
            .first()
            .map(|o| o.uuid.clone())
            .unwrap_or_default();
        let now = self.clock().utc();
        let body = Body {
            event_id: uuid_v4(),
            resource_id,
            operator_uuid: &operator_uuid,
            event,
            timestamp: i64::try_from(now.unix_timestamp_nanos() / 1_000_000).unwrap_or(0),
            resource_type: "FLIGHT",
        };
        let body = serde_json::to_string(&body).unwrap_or_default();
        let target = Target {
            subscription_id: "triggered".to_owned(),
            url: url.to_owned(),
            key: key.to_owned(),
        };
        deliver(self, target, body).await;
        self.deliveries().pop()
    }
}

/// Up to 3 POSTs of one delivery, until one is answered 2xx; then records it.
async fn deliver(handle: &Fl3xxHandle, target: Target, body: String) {
    let signature = sign(&target.key, body.as_bytes());
    let mut headers = vec![(CONTENT_TYPE, HeaderValue::from_static("application/json"))];
    if let Ok(value) = HeaderValue::from_str(&signature) {
        headers.push((X_WEBHOOK_SIGNATURE, value));
    }
    let bytes = Bytes::from(body.clone());
    let mut attempts = 0;
    let mut status = None;
    while attempts < MAX_ATTEMPTS {
        if attempts > 0 {
            handle.clock().sleep(RETRY_DELAY).await;
        }
        attempts += 1;
        match http_client::post_with(&target.url, &headers, bytes.clone(), ATTEMPT_TIMEOUT).await {
            Ok(answer) => {
                status = Some(answer.status);
                if (200..300).contains(&answer.status) {
                    break;
                }
            }
            Err(reason) => {
                status = None;
                tracing::debug!(url = %target.url, attempts, %reason, "fl3xx webhook not delivered");
            }
        }
    }
    handle.record_delivery(WebhookDeliveryRecord {
        subscription_id: target.subscription_id,
        callback_url: target.url,
        body,
        signature,
        status,
        attempts,
    });
}

/// Lower-case hex HMAC-SHA256 of `body`, keyed with `key`.
fn sign(key: &str, body: &[u8]) -> String {
    let key = ring::hmac::Key::new(ring::hmac::HMAC_SHA256, key.as_bytes());
    hex::encode(ring::hmac::sign(&key, body))
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    #[test]
    fn only_https_or_loopback_http_callbacks() {
        for ok in [
            "https://example.com/hook",
            "HTTPS://example.com",
            "http://127.0.0.1:8080/cb",
            "http://127.5.6.7/cb",
            "http://localhost:9000/cb",
            "http://[::1]:9000/cb",
        ] {
            assert!(callback_allowed(ok), "{ok}");
        }
        for bad in [
            "http://example.com/hook",
            "http://localhost.example.com/cb",
            "http://10.0.0.1/cb",
            "ftp://127.0.0.1/cb",
            "/relative",
            "https://",
            "not a url",
        ] {
            assert!(!callback_allowed(bad), "{bad}");
        }
    }

    #[test]
    fn months_are_calendar_months() {
        assert_eq!(
            plus_one_month(datetime!(2024-01-31 10:00:00 UTC)),
            datetime!(2024-02-29 10:00:00 UTC)
        );
        assert_eq!(
            plus_one_month(datetime!(2024-12-15 10:00:00 UTC)),
            datetime!(2025-01-15 10:00:00 UTC)
        );
    }

    #[test]
    fn signs_with_hmac_sha256() {
        // RFC 4231 test case 2.
        assert_eq!(
            sign("Jefe", b"what do ya want for nothing?"),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
    }
}
