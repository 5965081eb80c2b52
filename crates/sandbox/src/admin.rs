//! The sandbox's own routes, under [`ADMIN_PREFIX`] (a prefix no provider uses): its health,
//! with each provider's base URL; the requests each emulator recorded, credentials redacted;
//! faults on demand; credentials revoked on demand; the clock; provider-initiated traffic (an FL3XX webhook, a Netfinity
//! pingback). For tests and tools in any language: plain HTTP and JSON.

use axum::Router;
use axum::extract::Path;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use serde_json::{Value, json};

use crate::{Fl3xxHandle, FlexitiHandle, FsfltHandle, NetfinityHandle, RecordedRequest};

/// Where the sandbox's own routes live.
pub const ADMIN_PREFIX: &str = "/_sandbox";

/// Headers that carry a credential in one of the emulated APIs: their values are never
/// served back.
const CREDENTIAL_HEADERS: &[&str] = &["authorization", "x-api-key", "x-auth-token"];

/// The emulators whose traffic the admin routes read.
#[derive(Clone)]
pub(crate) struct Emulators {
    pub(crate) netfinity: NetfinityHandle,
    pub(crate) fsflt: FsfltHandle,
    pub(crate) fl3xx: Fl3xxHandle,
    pub(crate) flexiti: FlexitiHandle,
    /// The clock every emulator reads.
    pub(crate) clock: crate::Clock,
    /// `http://ADDR`, the base every provider's prefix hangs off.
    pub(crate) base_url: String,
}

/// `GET {ADMIN_PREFIX}/health` and `GET {ADMIN_PREFIX}/requests/{provider}`.
pub(crate) fn mount(app: Router, emulators: Emulators) -> Router {
    let health = emulators.clone();
    app.route(
        &format!("{ADMIN_PREFIX}/health"),
        get(move || {
            let base = health.base_url.clone();
            async move {
                axum::Json(json!({
                    "status": "ok",
                    "providers": {
                        "netfinity": format!("{base}{}", crate::netfinity::PREFIX),
                        "fsflt": format!("{base}{}", crate::fsflt::PREFIX),
                        "fl3xx": format!("{base}{}", crate::fl3xx::PREFIX),
                        "flexiti": format!("{base}{}", crate::flexiti::PREFIX),
                    },
                }))
            }
        }),
    )
    .route(
        &format!("{ADMIN_PREFIX}/reset"),
        post({
            let emulators = emulators.clone();
            move || {
                let emulators = emulators.clone();
                async move { reset(&emulators, None) }
            }
        }),
    )
    .route(
        &format!("{ADMIN_PREFIX}/reset/{{provider}}"),
        post({
            let emulators = emulators.clone();
            move |Path(provider): Path<String>| {
                let emulators = emulators.clone();
                async move { reset(&emulators, Some(&provider)) }
            }
        }),
    )
    .route(
        &format!("{ADMIN_PREFIX}/faults/{{provider}}"),
        post({
            let emulators = emulators.clone();
            move |Path(provider): Path<String>, axum::Json(spec): axum::Json<Value>| {
                let emulators = emulators.clone();
                async move { inject(&emulators, &provider, &spec) }
            }
        }),
    )
    .route(
        &format!("{ADMIN_PREFIX}/revoke/{{provider}}"),
        post({
            let emulators = emulators.clone();
            move |Path(provider): Path<String>, axum::Json(spec): axum::Json<Value>| {
                let emulators = emulators.clone();
                async move { revoke(&emulators, &provider, &spec) }
            }
        }),
    )
    .route(
        &format!("{ADMIN_PREFIX}/trigger/fl3xx/webhook"),
        post({
            let fl3xx = emulators.fl3xx.clone();
            move |axum::Json(spec): axum::Json<Value>| {
                let fl3xx = fl3xx.clone();
                async move { trigger_webhook(&fl3xx, &spec).await }
            }
        }),
    )
    .route(
        &format!("{ADMIN_PREFIX}/trigger/netfinity/pingback"),
        post({
            let netfinity = emulators.netfinity.clone();
            move |axum::Json(spec): axum::Json<Value>| {
                let netfinity = netfinity.clone();
                async move { trigger_pingback(&netfinity, &spec).await }
            }
        }),
    )
    .route(
        &format!("{ADMIN_PREFIX}/clock"),
        post({
            let clock = emulators.clock.clone();
            move |axum::Json(spec): axum::Json<Value>| {
                let clock = clock.clone();
                async move { advance_clock(&clock, &spec) }
            }
        }),
    )
    .route(
        &format!("{ADMIN_PREFIX}/requests/{{provider}}"),
        get(move |Path(provider): Path<String>| {
            let emulators = emulators.clone();
            async move { requests(&emulators, &provider) }
        }),
    )
}

/// `POST {ADMIN_PREFIX}/clock` with `{"advance_ms"}`: moves the sandbox's clock forward;
/// answers how far ahead of the wall clock it now is, `{"offset_ms"}`.
fn advance_clock(clock: &crate::Clock, spec: &Value) -> Response {
    let Some(advance) = spec["advance_ms"].as_u64() else {
        return bad_request("`advance_ms` (a number of milliseconds, 0 or more) is required");
    };
    clock.advance(std::time::Duration::from_millis(advance));
    let offset = u64::try_from(clock.offset().as_millis()).unwrap_or(u64::MAX);
    axum::Json(json!({ "offset_ms": offset })).into_response()
}

/// The sandbox's own refusal of a malformed admin request.
fn bad_request(message: &str) -> Response {
    (
        StatusCode::BAD_REQUEST,
        axum::Json(json!({ "message": message })),
    )
        .into_response()
}

/// `POST {ADMIN_PREFIX}/faults/{provider}` with `{"kind", "status", "headers": {name:
/// value}, "body", "times", "path", "delay_ms", "over_ms", "chunk_bytes", "keep_bytes"}`
/// (see [`crate::Fault`]; `kind` is `"status"` when absent): the next `times` requests (1)
/// of the provider, or of its paths containing `path`, meet the fault. Answers 201 with
/// `{"pending"}`, or 400 with what is wrong.
fn inject(emulators: &Emulators, provider: &str, spec: &Value) -> Response {
    let Some(faults) = faults_of(emulators, provider) else {
        return unknown_provider(provider);
    };
    let fault = match crate::Fault::from_json(spec) {
        Ok(fault) => fault,
        Err(message) => return bad_request(&message),
    };
    faults.inject(fault);
    (
        StatusCode::CREATED,
        axum::Json(json!({ "pending": faults.pending() })),
    )
        .into_response()
}

/// `POST {ADMIN_PREFIX}/revoke/{provider}` with `{"credential"}`: the emulator refuses that
/// credential from now on with its documented 401 (Netfinity's bearer token, FlashStart's
/// API key, an FL3XX operator token); for Flexiti, every token issued so far expires (no
/// `credential` needed). Answers `{"revoked"}`: false when the emulator never accepted it.
fn revoke(emulators: &Emulators, provider: &str, spec: &Value) -> Response {
    let credential = spec["credential"].as_str();
    let revoked = match (provider, credential) {
        ("flexiti", _) => {
            emulators.flexiti.expire_tokens();
            true
        }
        ("netfinity" | "fsflt" | "fl3xx", None) => {
            return bad_request("`credential` (a text) is required");
        }
        ("netfinity", Some(token)) => emulators.netfinity.revoke_token(token),
        ("fsflt", Some(key)) => emulators.fsflt.revoke_api_key(key),
        ("fl3xx", Some(token)) => emulators.fl3xx.revoke_token(token),
        (other, _) => return unknown_provider(other),
    };
    axum::Json(json!({ "revoked": revoked })).into_response()
}

/// `POST {ADMIN_PREFIX}/trigger/fl3xx/webhook` with `{"url", "key", "event",
/// "resource_id"}`: one signed FL3XX delivery, now; answers its status and attempts.
async fn trigger_webhook(fl3xx: &Fl3xxHandle, spec: &Value) -> Response {
    let (Some(url), Some(key), Some(event)) = (
        spec["url"].as_str(),
        spec["key"].as_str(),
        spec["event"].as_str(),
    ) else {
        return bad_request("`url`, `key` and `event` (texts) are required");
    };
    let resource_id = spec["resource_id"].as_u64().unwrap_or(5001);
    match fl3xx.trigger_webhook(url, key, event, resource_id).await {
        Some(record) => axum::Json(json!({
            "status": record.status,
            "attempts": record.attempts,
            "body": record.body,
        }))
        .into_response(),
        None => StatusCode::INTERNAL_SERVER_ERROR.into_response(),
    }
}

/// `POST {ADMIN_PREFIX}/trigger/netfinity/pingback` with `{"url", "code", "uuid", "id"}`:
/// one pingback of a documented status, now; answers the packet and whether it was
/// acknowledged.
async fn trigger_pingback(netfinity: &NetfinityHandle, spec: &Value) -> Response {
    let (Some(url), Some(code)) = (
        spec["url"].as_str(),
        spec["code"].as_u64().and_then(|c| u16::try_from(c).ok()),
    ) else {
        return bad_request("`url` (a text) and `code` (a number) are required");
    };
    let uuid = spec["uuid"]
        .as_str()
        .unwrap_or("00000000-0000-4000-8000-000000000000");
    match netfinity
        .trigger_pingback(url, uuid, spec["id"].as_str(), code)
        .await
    {
        Some(record) => axum::Json(json!({
            "body": record.body,
            "attempts": record.attempts,
            "acknowledged": record.acknowledged,
        }))
        .into_response(),
        None => bad_request(&format!("{code} is not a documented pingback status")),
    }
}

/// `POST {ADMIN_PREFIX}/reset` (every emulator) or `…/reset/{provider}`: back to the state
/// the sandbox started with; answers the providers reset.
fn reset(emulators: &Emulators, provider: Option<&str>) -> Response {
    let all = ["netfinity", "fsflt", "fl3xx", "flexiti"];
    let chosen: Vec<&str> = match provider {
        None => all.to_vec(),
        Some(one) if all.contains(&one) => vec![one],
        Some(other) => return unknown_provider(other),
    };
    for name in &chosen {
        match *name {
            "netfinity" => emulators.netfinity.reset(),
            "fsflt" => emulators.fsflt.reset(),
            "fl3xx" => emulators.fl3xx.reset(),
            _ => emulators.flexiti.reset(),
        }
    }
    axum::Json(json!({ "reset": chosen })).into_response()
}

fn faults_of(emulators: &Emulators, provider: &str) -> Option<crate::Faults> {
    Some(match provider {
        "netfinity" => emulators.netfinity.faults(),
        "fsflt" => emulators.fsflt.faults(),
        "fl3xx" => emulators.fl3xx.faults(),
        "flexiti" => emulators.flexiti.faults(),
        _ => return None,
    })
}

fn unknown_provider(provider: &str) -> Response {
    let message = format!("no provider {provider:?}: netfinity, fsflt, fl3xx or flexiti");
    (
        StatusCode::NOT_FOUND,
        axum::Json(json!({ "message": message })),
    )
        .into_response()
}

/// The recorded requests of `provider`, oldest first, credentials redacted.
fn requests(emulators: &Emulators, provider: &str) -> Response {
    let recorded = match provider {
        "netfinity" => emulators.netfinity.requests(),
        "fsflt" => emulators.fsflt.requests(),
        "fl3xx" => emulators.fl3xx.requests(),
        "flexiti" => emulators.flexiti.requests(),
        other => return unknown_provider(other),
    };
    let list: Vec<Value> = recorded.iter().map(redacted).collect();
    axum::Json(Value::Array(list)).into_response()
}

fn redacted(request: &RecordedRequest) -> Value {
    let headers: serde_json::Map<String, Value> = request
        .headers
        .iter()
        .map(|(name, value)| {
            let value = if CREDENTIAL_HEADERS.contains(&name.as_str()) {
                "[redacted]".to_owned()
            } else {
                value.clone()
            };
            (name.clone(), Value::String(value))
        })
        .collect();
    json!({
        "method": request.method,
        "path": request.path,
        "headers": headers,
        "body": String::from_utf8_lossy(&request.body),
        "status": request.status,
        "fault": request.fault.map(crate::FaultKind::name),
    })
}
