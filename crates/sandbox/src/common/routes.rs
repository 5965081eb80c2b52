//! Routes mounted from a spec's operation table on axum's own `Router`: one route per path
//! template (the spec's `{name}` is axum's syntax), one method handler per operation, the
//! provider's 405 (with `Allow`) for another method on a known path, and the provider's 404
//! for any path the spec does not describe — a path version it does not list included. Every
//! request under the prefix is recorded, whatever its answer.

use std::collections::BTreeMap;
use std::future::Future;

use api_core::spec::OperationSpec;
use axum::Router;
use axum::body::{Body, Bytes};
use axum::extract::{RawPathParams, Request};
use axum::http::request::Parts;
use axum::http::{Method, StatusCode};
use axum::middleware::{self, Next};
use axum::response::Response;
use axum::routing::{MethodFilter, MethodRouter, any};

use super::delivery::Delivery;
use super::wire::{percent_decode, recorded_headers};
use crate::RecordedRequest;
use crate::schema::{Leniency, Spec, Violation};

/// Largest request body read; a larger one is answered 413.
pub(crate) const MAX_BODY_BYTES: usize = 1024 * 1024;

/// A request that reached an operation: its parts, body and decoded path parameters.
pub(crate) struct Incoming {
    pub(crate) parts: Parts,
    pub(crate) body: Bytes,
    /// The path parameters by the spec's names, percent-decoded.
    pub(crate) params: BTreeMap<String, String>,
    /// The provider's spec, and how its framework reads a request.
    spec: Option<&'static Spec>,
    leniency: Leniency,
}

impl Incoming {
    /// What this request breaks of `operation`'s schemas in its provider's spec (headers,
    /// query, body), read as the provider's framework reads it: the check every emulator
    /// makes once the credentials pass, before its handler runs.
    pub(crate) fn violations(&self, operation: &OperationSpec) -> Vec<Violation> {
        let Some((spec, op)) = self
            .spec
            .and_then(|spec| Some((spec, spec.operation(operation.id)?)))
        else {
            return Vec::new();
        };
        let parts = &self.parts;
        spec.check_request(
            op,
            &parts.headers,
            parts.uri.query(),
            &self.body,
            self.leniency,
        )
    }
}

/// One emulated provider, as its routes see it.
pub(crate) trait Emulator: Clone + Send + Sync + 'static {
    /// The provider's spec, by name (`schema::Spec::of`).
    const SPEC: &'static str;
    /// How the provider's framework reads a request's scalars.
    const LENIENCY: Leniency;

    /// Answers a request for `operation`.
    fn operation(
        &self,
        operation: &'static OperationSpec,
        request: Incoming,
    ) -> impl Future<Output = Response> + Send;

    /// Answers a path the spec does not describe. By default Laravel's 404
    /// `{"message":"Not Found"}` (FlashStart, Netfinity).
    fn not_found(&self, _parts: Parts, _body: Bytes) -> Response {
        super::laravel::message(StatusCode::NOT_FOUND, "Not Found")
    }

    /// Answers `parts.method` on a path that takes only `allowed` (with an `Allow` header).
    /// By default Laravel's 405.
    fn method_not_allowed(&self, parts: Parts, allowed: &[Method]) -> Response {
        super::laravel::method_not_allowed(&parts.method, allowed)
    }

    /// Answers a body over [`MAX_BODY_BYTES`]. By default Laravel's 413.
    fn too_large(&self, _parts: &Parts) -> Response {
        super::laravel::message(StatusCode::PAYLOAD_TOO_LARGE, "Payload Too Large")
    }

    /// Keeps a request and the status it was answered with.
    fn record(&self, request: RecordedRequest);

    /// The faults waiting for this emulator's next requests.
    fn faults(&self) -> crate::Faults;
}

/// The routes of every operation in `table`, under `prefix`, each with `emulator`'s handler;
/// `extra` adds the provider's routes outside the spec (a token endpoint, a browser page).
/// Every other path under the prefix, the prefix itself and `{prefix}/` included, goes to
/// [`Emulator::not_found`]. Merge the result into the app.
pub(crate) fn spec_routes<E: Emulator>(
    prefix: &str,
    table: &'static [&'static OperationSpec],
    emulator: E,
    extra: impl FnOnce(Router) -> Router,
) -> Router {
    let mut by_path: BTreeMap<&'static str, Vec<&'static OperationSpec>> = BTreeMap::new();
    for operation in table {
        by_path.entry(operation.path).or_default().push(operation);
    }
    let mut router = Router::new();
    for (path, operations) in by_path {
        router = router.route(
            &format!("{prefix}{path}"),
            method_router(&operations, &emulator),
        );
    }
    let unknown = {
        let emulator = emulator.clone();
        any(move |request: Request| {
            let emulator = emulator.clone();
            async move {
                let (parts, body) = request.into_parts();
                let body = read(body).await.unwrap_or_default();
                emulator.not_found(parts, body)
            }
        })
    };
    let router = extra(router)
        .route(prefix, unknown.clone())
        .route(&format!("{prefix}/"), unknown.clone())
        .route(&format!("{prefix}/{{*rest}}"), unknown);
    router.route_layer(middleware::from_fn(move |request: Request, next: Next| {
        let emulator = emulator.clone();
        async move { recorded(emulator, request, next).await }
    }))
}

/// The handlers of the operations on one path, and the 405 for any other method.
fn method_router<E: Emulator>(operations: &[&'static OperationSpec], emulator: &E) -> MethodRouter {
    let mut router = MethodRouter::new();
    let mut allowed = Vec::new();
    for &operation in operations {
        let Ok(filter) = MethodFilter::try_from(operation.method.clone()) else {
            continue;
        };
        allowed.push(operation.method.clone());
        let emulator = emulator.clone();
        router = router.on(filter, move |params: RawPathParams, request: Request| {
            let emulator = emulator.clone();
            async move {
                let (parts, body) = request.into_parts();
                let params = params
                    .iter()
                    .map(|(name, value)| (name.to_owned(), percent_decode(value, false)))
                    .collect();
                let body = read(body).await.unwrap_or_default();
                let incoming = Incoming {
                    parts,
                    body,
                    params,
                    spec: Spec::of(E::SPEC),
                    leniency: E::LENIENCY,
                };
                let answer = emulator.operation(operation, incoming).await;
                if cfg!(debug_assertions) {
                    conforming(E::SPEC, operation, answer).await
                } else {
                    answer
                }
            }
        });
    }
    // One order for `Allow`, whatever the spec's order.
    let rank = |method: &Method| {
        [
            Method::GET,
            Method::HEAD,
            Method::POST,
            Method::PUT,
            Method::PATCH,
            Method::DELETE,
        ]
        .iter()
        .position(|m| m == method)
        .unwrap_or(usize::MAX)
    };
    allowed.sort_by_key(rank);
    let emulator = emulator.clone();
    router.fallback(move |request: Request| {
        let emulator = emulator.clone();
        let allowed = allowed.clone();
        async move {
            let (parts, _) = request.into_parts();
            emulator.method_not_allowed(parts, &allowed)
        }
    })
}

/// `answer` when its spec describes it (status, content type, body); otherwise, in debug
/// builds, a 500 naming each difference, logged too: an emulator answering what its spec
/// does not describe is a sandbox bug, and a test should see it at once.
async fn conforming(provider: &str, operation: &OperationSpec, answer: Response) -> Response {
    let Some((spec, op)) =
        Spec::of(provider).and_then(|spec| Some((spec, spec.operation(operation.id)?)))
    else {
        return answer;
    };
    // A body too large or of a media type the operation does not take is refused by the
    // provider's web framework before any operation runs: no spec lists those per operation.
    if FRAMEWORK_STATUSES.contains(&answer.status().as_u16())
        && op.responses.get(answer.status().as_str()).is_none()
    {
        return answer;
    }
    let (parts, body) = answer.into_parts();
    let Ok(body) = axum::body::to_bytes(body, MAX_ANSWER_BYTES).await else {
        return nonconforming(
            operation,
            vec![format!("an answer over {MAX_ANSWER_BYTES} bytes")],
        );
    };
    let content_type = parts
        .headers
        .get(axum::http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok());
    let problems = spec.check_answer(op, parts.status.as_u16(), content_type, &body);
    if problems.is_empty() {
        return Response::from_parts(parts, Body::from(body));
    }
    let problems: Vec<String> = problems.iter().map(ToString::to_string).collect();
    tracing::error!(
        operation = operation.id,
        status = parts.status.as_u16(),
        ?problems,
        "api-sandbox: an answer its spec does not describe"
    );
    nonconforming(operation, problems)
}

/// The statuses a provider's web framework answers for any operation (413, 415).
const FRAMEWORK_STATUSES: [u16; 2] = [413, 415];

/// Largest answer [`conforming`] reads.
const MAX_ANSWER_BYTES: usize = 64 * 1024 * 1024;

/// The sandbox's own 500 for an answer its spec does not describe.
fn nonconforming(operation: &OperationSpec, problems: Vec<String>) -> Response {
    let body = serde_json::json!({
        "sandbox_error": format!(
            "api-sandbox answered {} with what its spec does not describe (a sandbox bug)",
            operation.id
        ),
        "problems": problems,
    });
    super::wire::json_response(axum::http::StatusCode::INTERNAL_SERVER_ERROR, &body)
}

/// The body, read whole (the recorder has already refused a larger one).
async fn read(body: Body) -> Option<Bytes> {
    axum::body::to_bytes(body, MAX_BODY_BYTES).await.ok()
}

/// Reads the body (413 past the limit), answers (through the first fault waiting for the
/// path, if any), and records the request with its status and fault before the answer leaves.
async fn recorded<E: Emulator>(emulator: E, request: Request, next: Next) -> Response {
    let (parts, body) = request.into_parts();
    let method = parts.method.to_string();
    let path = parts.uri.path().to_owned();
    let headers = recorded_headers(&parts.headers);
    let (body, delivery) = match read(body).await {
        Some(body) => {
            let handle = next.run(Request::from_parts(parts, Body::from(body.clone())));
            let delivery = match emulator.faults().take(&path) {
                Some(fault) => fault.deliver(handle).await,
                None => Delivery::plain(handle.await),
            };
            (body, delivery)
        }
        None => (Bytes::new(), Delivery::plain(emulator.too_large(&parts))),
    };
    emulator.record(RecordedRequest {
        method,
        path,
        headers,
        body: body.to_vec(),
        status: delivery.status,
        fault: delivery.fault,
    });
    delivery.send().await
}

#[cfg(test)]
mod tests {
    use axum::http::StatusCode;
    use serde_json::{Value, json};

    use super::*;
    use crate::common::wire::json_response;
    use crate::generated::netfinity::SEND_SMS;

    async fn json_of(answer: Response) -> (StatusCode, Value) {
        crate::common::refusal::read_json(answer).await
    }

    #[tokio::test]
    async fn an_answer_the_spec_describes_passes_unchanged() {
        let body = json!({"message": "The given data was invalid.", "errors": {"text": ["x"]}});
        let answer = json_response(StatusCode::UNPROCESSABLE_ENTITY, &body);
        let (status, json) = json_of(conforming("netfinity", &SEND_SMS, answer).await).await;
        assert_eq!((status, json), (StatusCode::UNPROCESSABLE_ENTITY, body));
    }

    #[tokio::test]
    async fn an_answer_the_spec_does_not_describe_becomes_a_named_500() {
        let answer = json_response(StatusCode::UNPROCESSABLE_ENTITY, &json!({"message": 5}));
        let (status, json) = json_of(conforming("netfinity", &SEND_SMS, answer).await).await;
        assert_eq!(status, StatusCode::INTERNAL_SERVER_ERROR);
        assert_eq!(
            json,
            json!({
                "sandbox_error": "api-sandbox answered send_sms with what its spec does not describe (a sandbox bug)",
                "problems": ["message: expected string, got 5"]
            })
        );
        let teapot = json_response(StatusCode::IM_A_TEAPOT, &json!({}));
        let (status, json) = json_of(conforming("netfinity", &SEND_SMS, teapot).await).await;
        assert_eq!(status, StatusCode::INTERNAL_SERVER_ERROR);
        assert_eq!(json["problems"], json!(["status: 418 is not declared"]));
    }

    #[tokio::test]
    async fn the_frameworks_own_refusals_pass() {
        let answer = json_response(StatusCode::UNSUPPORTED_MEDIA_TYPE, &json!({"message": 1}));
        let (status, _) = json_of(conforming("netfinity", &SEND_SMS, answer).await).await;
        assert_eq!(status, StatusCode::UNSUPPORTED_MEDIA_TYPE);
    }
}
