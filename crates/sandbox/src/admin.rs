//! The sandbox's own routes, under [`ADMIN_PREFIX`] (a prefix no provider uses): its health,
//! with each provider's base URL, and the requests each emulator recorded, credentials
//! redacted. For tests and tools in any language: plain HTTP and JSON.

use axum::Router;
use axum::extract::Path;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
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
        &format!("{ADMIN_PREFIX}/requests/{{provider}}"),
        get(move |Path(provider): Path<String>| {
            let emulators = emulators.clone();
            async move { requests(&emulators, &provider) }
        }),
    )
}

/// The recorded requests of `provider`, oldest first, credentials redacted.
fn requests(emulators: &Emulators, provider: &str) -> Response {
    let recorded = match provider {
        "netfinity" => emulators.netfinity.requests(),
        "fsflt" => emulators.fsflt.requests(),
        "fl3xx" => emulators.fl3xx.requests(),
        "flexiti" => emulators.flexiti.requests(),
        other => {
            let message = format!("no provider {other:?}: netfinity, fsflt, fl3xx or flexiti");
            return (
                StatusCode::NOT_FOUND,
                axum::Json(json!({ "message": message })),
            )
                .into_response();
        }
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
    })
}
